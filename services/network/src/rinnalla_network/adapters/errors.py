"""Domain and event-log errors as HTTP answers: problem details (RFC 9457) with field paths."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from rinnalla_events import ConcurrencyConflict, IdempotencyKeyReused
from rinnalla_runtime.problems import Problem
from rinnalla_security.responses import error_response
from starlette.responses import Response

from rinnalla_network.application.ports import RegisterBehind
from rinnalla_network.domain import errors as domain

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no valid bearer token"},
    403: {"model": Problem, "description": "the caller's roles may not do this"},
    404: {"model": Problem, "description": "no such record, or not the caller's to see"},
    409: {"model": Problem, "description": "not possible now, or changed concurrently: reload and retry"},
    422: {
        "model": Problem,
        "description": "invalid value or broken rule with the field path: a referral without consent or legal "
        "basis, a minor's prohibition in force, a notification sent as a referral, a decline without a reason, "
        "a completion without an outcome",
    },
    503: {"model": Problem, "description": "the consent register is catching up with enrollment: retry shortly"},
}

_STATUS: list[tuple[type[domain.DomainError], int, str]] = [
    (domain.NotFound, 404, "not_found"),
    (domain.AlreadyExists, 409, "already_exists"),
    (domain.InvalidTransition, 409, "invalid_transition"),
    (domain.ConsentRefusesSharing, 422, "no_consent_or_legal_basis"),
    (domain.NotAReferral, 422, "notification_is_not_a_referral"),
    (domain.RuleViolated, 422, "rule_violated"),
    (domain.InvalidValue, 422, "invalid_value"),
]


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, domain.DomainError)
    status, code = next(((s, c) for kind, s, c in _STATUS if isinstance(exc, kind)), (422, "refused"))
    field = f"body.{exc.field}" if exc.field else "body"
    return error_response(
        status, code, f"{field}: {exc.reason}", scope=request.scope,
        errors=[{"field": field, "reason": exc.reason, "type": code}],
    )


async def _conflict(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConcurrencyConflict)
    return error_response(
        409, "concurrency_conflict",
        f"the {exc.stream_type} was changed by someone else while this request was decided; reload and try again",
        scope=request.scope,
    )


async def _key_reused(request: Request, exc: Exception) -> Response:
    return error_response(
        422, "idempotency_key_reused",
        "this Idempotency-Key was already used for a different request; use a new key for a new change",
        scope=request.scope,
        errors=[{"field": "header.Idempotency-Key", "reason": "already used for a different request",
                 "type": "idempotency_key_reused"}],
    )


async def _behind(request: Request, exc: Exception) -> Response:
    return error_response(
        503, "consent_register_behind",
        "the consent register has not yet applied every change enrollment has published, so no consent "
        "decision is made on a stale answer; retry in a moment",
        scope=request.scope, headers={"Retry-After": "2"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(domain.DomainError, _domain_error)
    app.add_exception_handler(ConcurrencyConflict, _conflict)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    app.add_exception_handler(RegisterBehind, _behind)
