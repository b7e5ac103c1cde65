"""Domain and event-log errors as HTTP answers, in the shared error shape with field paths."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from rinnalla_events import ConcurrencyConflict, IdempotencyKeyReused, SubjectAlreadyErased
from rinnalla_security.responses import error_response
from starlette.responses import Response

from rinnalla_enrollment.domain import errors as domain


class FieldProblem(BaseModel):
    field: str = Field(description="where in the request, e.g. body.child.hetu or header.Idempotency-Key")
    reason: str
    type: str


class ErrorBody(BaseModel):
    """Every refusal has this shape (also the security layer's 400/401/403/404/413)."""

    error: str = Field(description="a stable code, e.g. rule_violated, concurrency_conflict")
    detail: str = Field(description="what went wrong, in words a person can act on")
    errors: list[FieldProblem] | None = None
    request_id: str | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the X-Purpose header is missing or not accepted here"},
    401: {"model": ErrorBody, "description": "no valid bearer token"},
    403: {"model": ErrorBody, "description": "the caller's roles may not do this"},
    404: {"model": ErrorBody, "description": "no such record, or another municipality's or team's record"},
    409: {"model": ErrorBody, "description": "not possible now, or changed concurrently: reload and retry"},
    422: {"model": ErrorBody, "description": "invalid value or broken rule, with the field path"},
}


_STATUS: list[tuple[type[domain.DomainError], int, str]] = [
    (domain.NotFound, 404, "not_found"),
    (domain.AlreadyExists, 409, "already_exists"),
    (domain.InvalidTransition, 409, "invalid_transition"),
    (domain.RuleViolated, 422, "rule_violated"),
    (domain.InvalidValue, 422, "invalid_value"),
]


async def _domain_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, domain.DomainError)
    status, code = next(((s, c) for kind, s, c in _STATUS if isinstance(exc, kind)), (422, "refused"))
    field = f"body.{exc.field}" if exc.field else "body"
    return error_response(
        status, code, f"{field}: {exc.reason}", errors=[{"field": field, "reason": exc.reason, "type": code}]
    )


async def _conflict(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConcurrencyConflict)
    return error_response(
        409,
        "concurrency_conflict",
        f"the {exc.stream_type} was changed by someone else while this request was decided; "
        "reload and try again",
    )


async def _key_reused(_request: Request, exc: Exception) -> Response:
    return error_response(
        422,
        "idempotency_key_reused",
        "this Idempotency-Key was already used for a different request; use a new key for a new change",
        errors=[{"field": "header.Idempotency-Key", "reason": "already used for a different request",
                 "type": "idempotency_key_reused"}],
    )


async def _erased(_request: Request, exc: Exception) -> Response:
    return error_response(410, "subject_erased", "the person's data has been erased; it cannot be written again")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(domain.DomainError, _domain_error)
    app.add_exception_handler(ConcurrencyConflict, _conflict)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    app.add_exception_handler(SubjectAlreadyErased, _erased)
