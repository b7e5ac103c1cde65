"""Pure-ASGI middleware installed by `install_security`, outermost first:

1. RequestIdMiddleware: the request's id, always made by the server (the audit log's request id); a
   well-formed `X-Request-ID` the caller sent is echoed back as `X-Client-Request-ID`, never trusted.
2. ErrorBoundaryMiddleware: a database outage -> 503 with Retry-After; any other unexpected exception ->
   500 problem details with the request id, never a stack trace.
3. BodySizeLimitMiddleware: bodies over the limit -> 413, before the app reads them.
4. AuthenticationMiddleware: every non-public path needs a valid bearer token (401); a route that declares
   no access rule is refused (403) even if a test missed it; a personal-data response that logged no
   access is replaced by a 500, so data never leaves unlogged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.routing import APIRoute
from rinnalla_runtime.outages import RETRY_AFTER_SECONDS, UNAVAILABLE_DETAIL, is_dependency_outage
from rinnalla_runtime.request_context import request_ids, set_request_id_headers
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rinnalla_security.access import Access
from rinnalla_security.errors import AuthenticationFailed, BodyTooLarge, SecurityError
from rinnalla_security.responses import error_response, security_error_response
from rinnalla_security.routes import docs_paths, is_public_path, route_contexts, route_rule
from rinnalla_security.state import ACCESS_KEY, PRINCIPAL_KEY
from rinnalla_security.tokens import TokenVerifier

REQUEST_ID_HEADER = "X-Request-ID"

# Standard logging: the runtime routes it through the same structured processors as structlog output.
log = logging.getLogger("rinnalla.security")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, client_request_id = request_ids(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                set_request_id_headers(message, request_id, client_request_id)
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await self.app(scope, receive, send_with_id)


class ErrorBoundaryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
                raise
            if is_dependency_outage(exc):
                # A transaction that failed this way was never committed: nothing is half-written.
                log.warning("dependency unavailable in %s %s: %r", scope.get("method"), scope.get("path"), exc)
                unavailable = error_response(
                    503,
                    "service_unavailable",
                    UNAVAILABLE_DETAIL,
                    headers={"Retry-After": RETRY_AFTER_SECONDS},
                    scope=scope,
                )
                await unavailable(scope, receive, send)
                return
            # The traceback goes to the operator's log only; the client gets the request id to quote.
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            response = error_response(
                500,
                "internal_error",
                "an unexpected error occurred; quote the request id when reporting it",
                scope=scope,
            )
            await response(scope, receive, send)


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self, scope: Scope) -> Any:
        return security_error_response(BodyTooLarge(self.max_body_bytes), scope=scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # A chunked or lying client: stop reading; the app never sees the rest. FastAPI turns
                    # errors while reading a body into 400, except HTTPExceptions, hence that base class.
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope)(scope, receive, send)


class AuthenticationMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api: FastAPI,
        verifier: TokenVerifier,
        public_paths: Iterable[str],
    ) -> None:
        self.app = app
        self.api = api
        self.verifier = verifier
        self.public_paths = frozenset(public_paths)

    def _bearer(self, scope: Scope) -> str:
        header = _header(scope, b"authorization")
        realm = self.verifier.settings.realm
        if not header:
            raise AuthenticationFailed("a bearer token is required", challenge_error=None, realm=realm)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("the Authorization header must be 'Bearer <token>'", realm=realm)
        return token.strip()

    def _has_no_rule(self, scope: Scope, docs: frozenset[str]) -> bool:
        """Deny by default at request time too: find the route this request will reach."""
        for _prefix, context in route_contexts(self.api.router.routes):
            match, _ = context.matches(scope)
            if match is not Match.FULL:
                continue
            original = context.original_route
            if isinstance(original, APIRoute):
                return route_rule(context) is None
            if isinstance(original, Mount):
                return True
            return scope["path"] not in docs
        return False  # no route: the router answers 404 or 405

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public_path(scope["path"], self.public_paths):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self.verifier.verify(self._bearer(scope))
        except SecurityError as exc:
            await security_error_response(exc, scope=scope)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[PRINCIPAL_KEY] = principal
        if self._has_no_rule(scope, docs_paths(self.api)):
            log.error("request to %s refused: the route declares no access rule", scope["path"])
            refused = error_response(403, "forbidden", "this endpoint declares no access rule", scope=scope)
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, self._guard_unlogged(scope, receive, send))

    def _guard_unlogged(self, scope: Scope, receive: Receive, send: Send) -> Send:
        replaced = False

        async def guarded_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start" and message["status"] < 400:
                access = scope.get("state", {}).get(ACCESS_KEY)
                if isinstance(access, Access) and access.rule.personal_data and not access.logged:
                    replaced = True
                    log.error("response of %s withheld: personal data without an access-log entry", access.endpoint)
                    response = error_response(
                        500,
                        "access_not_logged",
                        "this endpoint returned personal data without logging the access; the response was withheld",
                        scope=scope,
                    )
                    await response(scope, receive, send)
                    return
            await send(message)

        return guarded_send
