"""Exception handlers: security errors, request validation (422 with field paths), HTTP errors, all as
problem details (RFC 9457). Unexpected errors are caught by ErrorBoundaryMiddleware."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from rinnalla_security.errors import SecurityError
from rinnalla_security.responses import error_response, security_error_response


def field_path(location: Sequence[Any]) -> str:
    """("body", "children", 0, "name") -> "body.children[0].name"."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "request"


def validation_problems(errors: Sequence[Any]) -> list[dict[str, str]]:
    # The offending input is not echoed back: it may be large, hostile, or someone's personal data.
    return [
        {"field": field_path(error.get("loc", ())), "reason": str(error.get("msg", "invalid")),
         "type": str(error.get("type", "invalid"))}
        for error in errors
    ]


async def _security_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SecurityError)
    return security_error_response(exc, scope=request.scope)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = validation_problems(exc.errors())
    summary = "; ".join(f"{p['field']}: {p['reason']}" for p in problems[:5])
    return error_response(
        422, "validation_failed", f"the request is invalid: {summary}", scope=request.scope, errors=problems
    )


def _code(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=dict(exc.headers or {}))
    code = getattr(exc, "code", None) or _code(exc.status_code)
    return error_response(exc.status_code, code, exc.detail, scope=request.scope, headers=dict(exc.headers or {}))


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SecurityError, _security_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
