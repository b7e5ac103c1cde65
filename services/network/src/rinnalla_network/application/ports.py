"""What the handlers need besides the event store: the network's own view of enrollment (children and
their consent register) and the assurance that it is current. Implemented over the read model by the
adapters; in-memory fakes in the unit tests."""

from __future__ import annotations

from typing import Protocol

from rinnalla_consent import ConsentView

from rinnalla_network.domain.referral import ChildRecord


class RegisterBehind(Exception):
    """The network's projection of enrollment has not applied everything enrollment has published: a
    consent decision now could rest on a stale answer. Try again shortly."""

    def __init__(self, behind: int) -> None:
        self.behind = behind
        super().__init__(f"the consent register is {behind} event(s) behind enrollment")


class ChildDirectory(Protocol):
    async def child(self, child_id: str) -> ChildRecord | None:
        """The enrolled child as the projection knows them, or None."""
        ...

    async def consent_view(self, child_id: str) -> ConsentView:
        """The child's consent register (the child and their guardians), folded from every fact."""
        ...

    async def mentored_teams(self, mentor_id: str) -> frozenset[str]:
        """The teams this person mentors now."""
        ...


class Freshness(Protocol):
    async def ensure_current(self) -> None:
        """Return once the projection has applied everything enrollment has published up to this call;
        raise `RegisterBehind` if it does not catch up within a short wait."""
        ...


class Guard(Protocol):
    """Who may touch which record; a refusal looks like a missing record (404)."""

    def tenant(self, municipality_code: str) -> None: ...

    def any_tenant(self, municipality_codes: tuple[str, ...]) -> None:
        """Refuse unless the caller works for one of these municipalities."""
        ...

    def child(self, municipality_code: str, child_id: str, team_id: str) -> None:
        """Refuse unless the caller may refer this child (tenant-wide staff, or the team's mentor)."""
        ...

    def family(self, organisation_id: str, municipality_code: str) -> None:
        """Refuse unless the caller works for the family-partner organisation, or is staff of the municipality."""
        ...

    def receiver(self, organisation_id: str) -> None:
        """Refuse unless the caller acts for this organisation (its own credentials)."""
        ...
