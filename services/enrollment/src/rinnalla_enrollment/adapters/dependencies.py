"""FastAPI dependencies: the service container, the caller's guard, the idempotency header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from rinnalla_security import Access, Relations, Visibility

from rinnalla_enrollment.bootstrap import Enrollment

IDEMPOTENCY_HEADER = "Idempotency-Key"


def get_enrollment(request: Request) -> Enrollment:
    enrollment: Enrollment = request.app.state.service
    return enrollment


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


class HttpGuard:
    """Answers the application's access questions: tenants from the caller's token, teams and children from
    the relations the log records for the caller (read before the command); a refusal is a 404."""

    def __init__(self, access: Access, relations: Relations) -> None:
        self.access = access
        self.visibility = Visibility(access.principal, relations)
        self.municipality_code: str | None = None

    def tenant(self, municipality_code: str) -> None:
        self.access.ensure_tenant(municipality_code)
        self.municipality_code = municipality_code

    def team(self, municipality_code: str, team_id: str) -> None:
        self.tenant(municipality_code)
        self.access.ensure(self.visibility.can_see_team(team_id))

    def child(self, municipality_code: str, child_id: str, team_id: str | None) -> None:
        self.tenant(municipality_code)
        self.access.ensure(self.visibility.can_see_child(child_id, team_id=team_id))
