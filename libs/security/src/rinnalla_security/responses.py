"""The one JSON error shape every refusal uses: {"error": <code>, "detail": <message>, ...}."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from rinnalla_security.errors import BodyTooLarge, SecurityError


def error_response(
    status_code: int, code: str, detail: Any, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "detail": detail, **extra}
    return JSONResponse(body, status_code=status_code, headers=headers)


def security_error_response(exc: SecurityError | BodyTooLarge) -> JSONResponse:
    return error_response(exc.status_code, exc.code, exc.detail, headers=dict(exc.headers or {}))
