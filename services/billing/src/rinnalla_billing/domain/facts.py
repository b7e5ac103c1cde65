"""What billing knows of enrollment's partnerships and teams (read from its events by a projection)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TeamSpan:
    """A team of the partnership: charged from its activation day to its last day, both inclusive."""

    team_id: str
    name: str
    activated_on: date | None
    ended_on: date | None


@dataclass(frozen=True)
class PartnershipFacts:
    partnership_id: str
    municipality_code: str
    team_count: int
    """Teams committed in the signed agreement (0 until signed)."""
    teams: tuple[TeamSpan, ...]
    ended_on: date | None
