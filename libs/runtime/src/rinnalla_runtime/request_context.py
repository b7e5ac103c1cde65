"""What every HTTP request gets before it reaches a router: a request id, an access-log line and metrics.

The request id is always the server's own: it names the request in the access log, in problem details and
in the audit log, so a caller must not choose it (and so make two requests share one, or pose as another's).
A well-formed `X-Request-ID` the caller sent is logged as `client_request_id` and echoed back separately as
`X-Client-Request-ID`, for the caller's own correlation.

The server span comes from FastAPI's own OpenTelemetry support, which wraps the whole middleware stack:
this middleware therefore runs inside the span, and its log lines carry the trace id.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rinnalla_runtime.metrics import UNMATCHED_ROUTE, HttpMetrics
from rinnalla_runtime.outages import RETRY_AFTER_SECONDS, UNAVAILABLE_DETAIL, is_dependency_outage
from rinnalla_runtime.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
CLIENT_REQUEST_ID_HEADER = "X-Client-Request-ID"
REQUEST_ID_STATE_KEY = "request_id"
CLIENT_REQUEST_ID_STATE_KEY = "client_request_id"
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# A caller's request id is echoed and logged, so accept only short, harmless tokens
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def accept_client_request_id(offered: str | None) -> str | None:
    """The caller's X-Request-ID when it is a sane token (to log and echo, never to name the request)."""
    if offered and _ACCEPTABLE_REQUEST_ID.match(offered):
        return offered
    return None


def request_ids(scope: Scope) -> tuple[str, str | None]:
    """The request's server-made id and the caller's own (if any), made once per request and kept in the
    scope's state so that every middleware and the audit log use the same."""
    state = scope.setdefault("state", {})
    request_id = state.get(REQUEST_ID_STATE_KEY)
    if not isinstance(request_id, str) or not request_id:
        request_id = uuid.uuid4().hex
        state[REQUEST_ID_STATE_KEY] = request_id
        offered = next((v for k, v in scope.get("headers", []) if k.lower() == b"x-request-id"), None)
        state[CLIENT_REQUEST_ID_STATE_KEY] = accept_client_request_id(
            offered.decode("latin-1") if offered is not None else None
        )
    client_id = state.get(CLIENT_REQUEST_ID_STATE_KEY)
    return request_id, client_id if isinstance(client_id, str) else None


def set_request_id_headers(message: Message, request_id: str, client_request_id: str | None) -> None:
    headers = MutableHeaders(scope=message)
    headers[REQUEST_ID_HEADER] = request_id
    if client_request_id is not None:
        headers[CLIENT_REQUEST_ID_HEADER] = client_request_id


def route_template(scope: Scope) -> str:
    """`/v1/children/{child_id}` rather than the concrete path: label values stay few, logs group well."""
    # FastAPI keeps the full template of a route reached through include_router(prefix=...) in its
    # effective route context; the route object itself only knows the part below the prefix.
    effective = scope.get("fastapi", {}).get("effective_route_context")
    path_format = getattr(effective, "path_format", None)
    if isinstance(path_format, str) and path_format:
        return str(scope.get("root_path", "")).rstrip("/") + path_format
    route = scope.get("route")
    if isinstance(route, Mount):
        return str(scope.get("root_path") or "/")
    path_format = getattr(route, "path_format", None)
    if isinstance(path_format, str):
        return str(scope.get("root_path", "")).rstrip("/") + path_format or "/"
    return UNMATCHED_ROUTE


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HttpMetrics,
        logger: Any,
        quiet_paths: frozenset[str] = PROBE_PATHS,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.logger = logger
        self.quiet_paths = quiet_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, client_request_id = request_ids(scope)
        method = str(scope["method"]).upper()
        status = 500
        response_started = False
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                response_started = True
                set_request_id_headers(message, request_id, client_request_id)
            await send(message)

        self.metrics.in_progress.labels(self.metrics.service, method).inc()
        bound: dict[str, str] = {"request_id": request_id}
        if client_request_id is not None:
            bound["client_request_id"] = client_request_id
        with structlog.contextvars.bound_contextvars(**bound):
            try:
                await self.app(scope, receive, send_with_request_id)
            except Exception as exc:
                if not response_started and is_dependency_outage(exc):
                    # The failed transaction never committed: nothing is half-written, the client may retry.
                    self.logger.warning(
                        "http.dependency_unavailable", method=method, path=scope["path"], error=repr(exc)
                    )
                    await problem_response(
                        503,
                        "service_unavailable",
                        UNAVAILABLE_DETAIL,
                        request_id=request_id,
                        headers={"Retry-After": RETRY_AFTER_SECONDS},
                    )(scope, receive, send_with_request_id)
                    return
                self.logger.exception("http.unhandled_error", method=method, path=scope["path"])
                if response_started:
                    raise
                # answered here rather than by Starlette's outer handler, so the 500 carries the request id
                await problem_response(
                    500,
                    "internal_error",
                    "an unexpected error occurred; quote the request id when reporting it",
                    request_id=request_id,
                )(scope, receive, send_with_request_id)
            finally:
                elapsed = time.perf_counter() - started
                route = route_template(scope)
                self.metrics.in_progress.labels(self.metrics.service, method).dec()
                self.metrics.record(method, route, status, elapsed)
                # probes every few seconds would drown the log; the query string stays out: it may carry
                # personal data
                log = self.logger.debug if scope["path"] in self.quiet_paths else self.logger.info
                log(
                    "http.request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
