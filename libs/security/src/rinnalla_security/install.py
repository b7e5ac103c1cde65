"""`install_security(app, ...)`: one call wires authentication, error handling and limits into a service."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI

from rinnalla_security.audit.checkpoints import ChainAnchors
from rinnalla_security.audit.log import AuditLog
from rinnalla_security.contract import install_contract
from rinnalla_security.handlers import install_exception_handlers
from rinnalla_security.input_guard import InputGuardMiddleware
from rinnalla_security.middleware import (
    AuthenticationMiddleware,
    BodySizeLimitMiddleware,
    ErrorBoundaryMiddleware,
    RequestIdMiddleware,
)
from rinnalla_security.response_headers import SecurityHeadersMiddleware
from rinnalla_security.routes import DEFAULT_PUBLIC_PATHS
from rinnalla_security.settings import AuthSettings
from rinnalla_security.state import STATE_ATTRIBUTE, SecurityState
from rinnalla_security.tokens import TokenVerifier

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def install_security(
    app: FastAPI,
    *,
    service: str,
    settings: AuthSettings | None = None,
    verifier: TokenVerifier | None = None,
    audit_log: AuditLog | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    public_paths: Iterable[str] = DEFAULT_PUBLIC_PATHS,
    chain_anchors: ChainAnchors | None = None,
) -> SecurityState:
    """Install before the app starts. Give `settings` (or a ready `verifier`), and the `audit_log` that
    personal-data routes write to. `public_paths` (and anything below them) need no token. The app's
    OpenAPI document then declares every rule's security, purposes and problem answers. `chain_anchors`
    gives the audit API's `/verify` the signed checkpoints kept outside the database."""
    if verifier is None:
        if settings is None:
            raise ValueError("install_security needs AuthSettings or a TokenVerifier")
        verifier = TokenVerifier(settings)
    public = frozenset(public_paths)
    state = SecurityState(
        verifier=verifier,
        audit_log=audit_log,
        service=service,
        public_paths=public,
        chain_anchors=chain_anchors,
    )
    setattr(app.state, STATE_ATTRIBUTE, state)
    install_exception_handlers(app)
    install_contract(app)
    # add_middleware puts each new middleware outside the previous ones: add innermost first.
    app.add_middleware(InputGuardMiddleware, api=app)
    app.add_middleware(AuthenticationMiddleware, api=app, verifier=verifier, public_paths=public)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(ErrorBoundaryMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return state
