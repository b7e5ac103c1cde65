"""What the handlers need from outside the domain: enrollment's facts, and the caller's access."""

from __future__ import annotations

from typing import Protocol

from rinnalla_billing.domain.facts import PartnershipFacts


class EnrollmentFacts(Protocol):
    """The partnership and its teams as enrollment's events have recorded them (through billing's projection)."""

    async def partnership(self, partnership_id: str) -> PartnershipFacts | None: ...


class Guard(Protocol):
    """Refuses (as a 404) a record of a municipality the caller does not serve."""

    def tenant(self, municipality_code: str) -> None: ...
