"""Access that follows the log: whom a person may see because of a relationship the service's own events
record (a mentor's team assignment, a guardian's custody of a minor), never because of lists in the token.

A token says who the caller is (`sub`), what work they do (roles), for whom (organisation) and where
(tenants). Which teams and children a mentor or guardian reaches is a fact of the log, and it changes while
a token is valid: a mentor is assigned to a new team or leaves one, guardians change, a child turns 18.
Each service answers `RelationshipSource` from its own projection (or event store) and asks
`relations_of(principal, source, day)` once per request; `Visibility` then answers "may they see this
team / child" synchronously.

    relations = await relations_of(access.principal, source, service_day(clock()))
    access.ensure(Visibility(access.principal, relations).can_see_child(child_id, team_id=team_id))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from rinnalla_security.principal import Principal
from rinnalla_security.roles import Role

SERVICE_TIME_ZONE = ZoneInfo("Europe/Helsinki")
AGE_OF_MAJORITY = 18


class Relation(StrEnum):
    MENTOR_OF_TEAM = "mentor_of_team"
    """From `MentorAssigned` until the day the mentor left (`MentorLeft`)."""
    GUARDIAN_OF_CHILD = "guardian_of_child"
    """While the log names the person among the child's guardians and the child is under 18."""


# Which role a relationship needs to count: a guardian who is also a mentor sees a team as a mentor only.
_ROLE_OF: dict[Relation, Role] = {Relation.MENTOR_OF_TEAM: Role.MENTOR, Relation.GUARDIAN_OF_CHILD: Role.GUARDIAN}


@dataclass(frozen=True)
class Relationship:
    """One relationship of a person with a team or child, as the log records it now.

    `until` is the first day it no longer holds (exclusive); None while it lasts. A relationship a service
    records as ended is either gone from its source or carries the day it ended."""

    relation: Relation
    person_id: str
    target_id: str
    until: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.until is None or day < self.until


def coming_of_age(born_on: date) -> date:
    """The 18th birthday; for a child born on 29 February, 1 March (the day they have lived 18 years)."""
    try:
        return born_on.replace(year=born_on.year + AGE_OF_MAJORITY)
    except ValueError:
        return date(born_on.year + AGE_OF_MAJORITY, 3, 1)


def guardianship(guardian_id: str, child_id: str, born_on: date | None) -> Relationship:
    """A guardian's relationship with a child, ending on the child's 18th birthday. A child whose date of
    birth is unknown (unreadable or erased) reaches no guardian: access fails closed."""
    until = coming_of_age(born_on) if born_on is not None else date.min
    return Relationship(Relation.GUARDIAN_OF_CHILD, guardian_id, child_id, until)


def mentorship(mentor_id: str, team_id: str, left_on: date | None = None) -> Relationship:
    """A mentor's assignment to a team; from the day they left (`left_on`) it no longer holds."""
    return Relationship(Relation.MENTOR_OF_TEAM, mentor_id, team_id, left_on)


class RelationshipSource(Protocol):
    """A port each service answers from its own log: the relationships recorded for one person."""

    async def relationships_of(self, person_id: str) -> Sequence[Relationship]: ...


@dataclass(frozen=True)
class Relations:
    """What a principal's relationships reach on one day."""

    team_ids: frozenset[str] = frozenset()
    child_ids: frozenset[str] = frozenset()

    @classmethod
    def holding_on(cls, day: date, relationships: Iterable[Relationship], roles: Iterable[Role]) -> Relations:
        held = frozenset(roles)
        current = [r for r in relationships if r.holds_on(day) and _ROLE_OF[r.relation] in held]
        return cls(
            team_ids=frozenset(r.target_id for r in current if r.relation is Relation.MENTOR_OF_TEAM),
            child_ids=frozenset(r.target_id for r in current if r.relation is Relation.GUARDIAN_OF_CHILD),
        )


def needs_relations(principal: Principal) -> bool:
    """Whether a relationship could widen what this principal sees (tenant-wide staff need none)."""
    return not principal.is_tenant_wide and principal.has_role(*_ROLE_OF.values())


async def relations_of(principal: Principal, source: RelationshipSource, day: date) -> Relations:
    """The principal's relations on `day`; asks the source only when a relationship could matter."""
    if not needs_relations(principal):
        return Relations()
    return Relations.holding_on(day, await source.relationships_of(principal.subject), principal.roles)


def service_day(now: datetime) -> date:
    """The calendar day in Finland at `now`: a child comes of age at midnight Finnish time."""
    return now.astimezone(SERVICE_TIME_ZONE).date()


@dataclass(frozen=True)
class Visibility:
    """Who may see which team or child: tenant-wide staff, a current mentor of the team, a current guardian
    of the child, or the child themself. Combine with the tenant check (`Access.ensure_tenant`)."""

    principal: Principal
    relations: Relations = field(default_factory=Relations)

    def can_see_team(self, team_id: str) -> bool:
        return self.principal.is_tenant_wide or team_id in self.relations.team_ids

    def can_see_child(self, child_id: str, *, team_id: str | None = None) -> bool:
        principal = self.principal
        if principal.is_tenant_wide:
            return True
        if principal.has_role(Role.CHILD) and child_id == principal.subject:
            return True
        if child_id in self.relations.child_ids:
            return True
        return team_id is not None and team_id in self.relations.team_ids


class MemoryRelationships:
    """An in-memory `RelationshipSource`, for tests and for tools that have no projection yet."""

    def __init__(self, relationships: Iterable[Relationship] = ()) -> None:
        self._relationships = list(relationships)

    def add(self, relationship: Relationship) -> None:
        self._relationships.append(relationship)

    def remove(self, person_id: str, target_id: str) -> None:
        self._relationships = [
            r for r in self._relationships if (r.person_id, r.target_id) != (person_id, target_id)
        ]

    async def relationships_of(self, person_id: str) -> Sequence[Relationship]:
        return [r for r in self._relationships if r.person_id == person_id]
