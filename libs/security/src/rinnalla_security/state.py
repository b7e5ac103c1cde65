"""What `install_security` attaches to an app, and how request-time code finds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rinnalla_runtime.request_context import REQUEST_ID_STATE_KEY

from rinnalla_security.audit.checkpoints import ChainAnchors
from rinnalla_security.audit.log import AuditLog
from rinnalla_security.tokens import TokenVerifier

STATE_ATTRIBUTE = "rinnalla_security"
PRINCIPAL_KEY = "rinnalla_principal"
ACCESS_KEY = "rinnalla_access"
REQUEST_ID_KEY = REQUEST_ID_STATE_KEY  # made by the server only: rinnalla_runtime.request_context


@dataclass(frozen=True)
class SecurityState:
    verifier: TokenVerifier
    audit_log: AuditLog | None
    service: str
    public_paths: frozenset[str]
    chain_anchors: ChainAnchors | None = None


def security_state(app: Any) -> SecurityState:
    state = getattr(app.state, STATE_ATTRIBUTE, None)
    if not isinstance(state, SecurityState):
        raise RuntimeError("security is not installed on this app: call install_security(app, ...) in create_app")
    return state
