"""FastAPI dependencies: the service context, the caller as an author, the idempotency header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from rinnalla_security import Principal, Role

from rinnalla_caselog.bootstrap import Caselog
from rinnalla_caselog.domain.roster import Author

IDEMPOTENCY_HEADER = "Idempotency-Key"


def get_caselog(request: Request) -> Caselog:
    caselog: Caselog = request.app.state.service
    return caselog


def author_of(principal: Principal) -> Author:
    """A coordinator writes for every team of their municipalities; anyone else as themself (a mentor)."""
    return Author(
        person_id=principal.subject,
        coordinator=principal.has_role(Role.COORDINATOR),
        tenants=frozenset(principal.tenants),
    )


IdempotencyKey = Annotated[
    str,
    Header(
        alias=IDEMPOTENCY_HEADER,
        min_length=8,
        max_length=200,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="A unique key per intended change (e.g. a UUID). Retrying with the same key and body "
        "returns the first result and changes nothing; the same key with another body is refused (422).",
        examples=["7b0b1f1e-5d0c-4c55-9a7e-0d5f4f3b2a10"],
    ),
]
