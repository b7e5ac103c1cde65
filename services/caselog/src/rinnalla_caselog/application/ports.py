"""What the handlers need from outside: the roster (enrollment's facts as the case log keeps them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import rinnalla_consent as consent

from rinnalla_caselog.domain.research import ChildRecord
from rinnalla_caselog.domain.roster import ChildFacts, TeamFacts


class Roster(Protocol):
    """The case log's copy of enrollment's teams, mentors' terms and children (eventually consistent:
    a mentor assigned a moment ago in enrollment may write once the worker has applied the event)."""

    async def children(self, child_ids: Iterable[str]) -> Mapping[str, ChildFacts]:
        """The facts of each child the case log knows (unknown ids are left out)."""
        ...

    async def teams(self, team_ids: Iterable[str]) -> Mapping[str, TeamFacts]:
        """The facts of each team the case log knows (unknown ids are left out)."""
        ...


class ResearchSource(Protocol):
    """The read models an extract is made from."""

    async def children_of(self, municipality_code: str) -> Sequence[ChildRecord]:
        """Every child ever enrolled in a team of the municipality, with their dose and scores."""
        ...

    async def consent_views(self, child_ids: Sequence[str]) -> Mapping[str, consent.ConsentView]:
        ...
