"""Every refusal as problem details (RFC 9457, `application/problem+json`; see `rinnalla_runtime.problems`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rinnalla_runtime.problems import problem_response
from starlette.responses import JSONResponse
from starlette.types import Scope

from rinnalla_security.errors import BodyTooLarge, SecurityError
from rinnalla_security.state import REQUEST_ID_KEY


def error_response(
    status_code: int,
    code: str,
    detail: Any,
    *,
    scope: Scope | None = None,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[Mapping[str, str]] | None = None,
) -> JSONResponse:
    """The problem for `code`; with the request's `scope`, it names the request by its id."""
    request_id = (scope or {}).get("state", {}).get(REQUEST_ID_KEY)
    return problem_response(status_code, code, detail, errors=errors, request_id=request_id, headers=headers)


def security_error_response(exc: SecurityError | BodyTooLarge, *, scope: Scope | None = None) -> JSONResponse:
    errors = exc.errors if isinstance(exc, SecurityError) else None
    return error_response(
        exc.status_code, exc.code, exc.detail, scope=scope, headers=dict(exc.headers or {}), errors=errors
    )
