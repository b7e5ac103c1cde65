"""FastAPI dependencies: the service context, the caller's guard, the idempotency header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from rinnalla_security import Access, Role

from rinnalla_network.bootstrap import Network

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key", min_length=8, max_length=200, pattern=r"^[A-Za-z0-9._:\-]+$",
        description="A unique key per intended change (e.g. a UUID). Retrying with the same key and body "
        "returns the first result and changes nothing; the same key with another body is refused (422).",
        examples=["7b0b1f1e-5d0c-4c55-9a7e-0d5f4f3b2a10"],
    ),
]


def get_network(request: Request) -> Network:
    network: Network = request.app.state.service
    return network


class HttpGuard:
    """Answers the application's access questions from the caller's token and, for a mentor, the teams
    the network's projection of enrollment says they mentor now. A refusal is a 404."""

    def __init__(self, access: Access, mentored_teams: frozenset[str] = frozenset()) -> None:
        self.access = access
        self.mentored_teams = mentored_teams

    def tenant(self, municipality_code: str) -> None:
        self.access.ensure_tenant(municipality_code)

    def any_tenant(self, municipality_codes: tuple[str, ...]) -> None:
        self.access.ensure(any(self.access.principal.in_tenant(code) for code in municipality_codes))

    def child(self, municipality_code: str, child_id: str, team_id: str) -> None:
        self.tenant(municipality_code)
        principal = self.access.principal
        self.access.ensure(principal.is_tenant_wide or (principal.has_role(Role.MENTOR) and team_id in
                                                         self.mentored_teams))

    def family(self, organisation_id: str, municipality_code: str) -> None:
        principal = self.access.principal
        if principal.acts_for_partner(organisation_id):
            return
        self.access.ensure(principal.is_tenant_wide and principal.in_tenant(municipality_code))

    def receiver(self, organisation_id: str) -> None:
        principal = self.access.principal
        self.access.ensure(principal.acts_for_partner(organisation_id) or principal.organisation_id ==
                           organisation_id)
