"""Security errors. Each carries the HTTP status and a short machine code; handlers render them as problem
details (RFC 9457, `rinnalla_runtime.problems`) so clients get the same shape for every refusal."""

from __future__ import annotations

from fastapi import HTTPException


class SecurityError(Exception):
    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.errors: list[dict[str, str]] = []


class AuthenticationFailed(SecurityError):
    """No token, or a token that does not verify. Answers 401 with an RFC 6750 `WWW-Authenticate` header."""

    status_code = 401
    code = "unauthenticated"

    def __init__(self, detail: str, *, challenge_error: str | None = "invalid_token", realm: str = "rinnalla"):
        challenge = f'Bearer realm="{realm}"'
        if challenge_error is not None:
            # The description goes into a quoted header value: keep it to characters that need no escaping.
            safe = "".join(ch for ch in detail if ch.isprintable() and ch not in '"\\')
            challenge += f', error="{challenge_error}", error_description="{safe}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})
        self.challenge_error = challenge_error


class PermissionDenied(SecurityError):
    """The caller is known but their roles do not allow this endpoint."""

    status_code = 403
    code = "forbidden"


class NotFound(SecurityError):
    """The record does not exist *for this caller*. Services raise it for another tenant's record or a record
    outside the caller's relationships, so that a refusal never confirms that the record exists."""

    status_code = 404
    code = "not_found"

    def __init__(self, detail: str = "not found") -> None:
        super().__init__(detail)


class PurposeRequired(SecurityError):
    """A personal-data endpoint was called without a stated purpose, or with one that is unknown or that the
    caller may not claim here. Answers 422 naming the `X-Purpose` header, like any other invalid header."""

    status_code = 422
    code = "purpose_required"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.errors = [{"field": "header.X-Purpose", "reason": detail, "type": self.code}]


class SpecialReasonRequired(SecurityError):
    """Log data older than two years was requested without the special reason the law asks for."""

    status_code = 400
    code = "special_reason_required"


class BodyTooLarge(HTTPException):
    """The request body is over the service's limit (413). An HTTPException so that FastAPI, which turns
    other errors raised while reading a body into 400, lets it through."""

    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds the limit of {limit} bytes")


class MissingAccessRule(Exception):
    """One or more routes declare no access rule; raised by the route-rule completeness check."""

    def __init__(self, routes: list[str]) -> None:
        self.routes = routes
        listed = "\n  ".join(routes)
        super().__init__(
            "these routes declare no access rule (add `Depends(authorize(...))` or list them as public):\n  "
            + listed
        )


class AuthenticationUnavailable(SecurityError):
    """The identity provider's keys cannot be fetched right now; the caller may retry."""

    status_code = 503
    code = "authentication_unavailable"
