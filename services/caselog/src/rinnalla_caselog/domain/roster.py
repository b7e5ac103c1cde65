"""Who may write about a child on a given day, decided from enrollment's facts (the roster).

The case log keeps its own copy of enrollment's events (teams, mentors' terms, children's team memberships,
exits): the mentor of the child's team on the entry's date may write about the child, and so may a
coordinator of the team's municipality. Everyone else is told the child does not exist (404), so a refusal
never confirms that another team's child is in the programme.

A mentor's term runs from `starts_on` up to the day before `left_on` (the day they left is the successor's
first day): an outgoing mentor's entry dated on or after the handover is refused (422), one dated before it
is accepted (a late entry of their own work). A child's participation ends on the day of the exit or the
completion: entries dated from that day on are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from rinnalla_caselog.domain.errors import NotFound, RuleViolated


@dataclass(frozen=True)
class Period:
    """From `start` (inclusive) to `end` (exclusive); `end` None while it lasts."""

    start: date
    end: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class MentorTerm:
    mentor_id: str
    role: str
    period: Period


@dataclass(frozen=True)
class TeamFacts:
    team_id: str
    municipality_code: str
    county_code: str = ""
    name: str = ""
    mentors: tuple[MentorTerm, ...] = ()

    def mentors_on(self, day: date) -> tuple[str, ...]:
        return tuple(term.mentor_id for term in self.mentors if term.period.holds_on(day))

    def terms_of(self, mentor_id: str) -> tuple[MentorTerm, ...]:
        return tuple(term for term in self.mentors if term.mentor_id == mentor_id)


@dataclass(frozen=True)
class Membership:
    team_id: str
    period: Period


@dataclass(frozen=True)
class ChildFacts:
    child_id: str
    born_on: date | None = None
    """None when unknown: not enrolled yet, erased, or not readable."""
    memberships: tuple[Membership, ...] = ()
    ended_on: date | None = None
    """The day the child exited or completed the programme: no entries from that day on."""
    ended_because: str = ""

    def team_on(self, day: date) -> str | None:
        for membership in self.memberships:
            if membership.period.holds_on(day):
                return membership.team_id
        return None

    def current_team(self) -> str | None:
        open_ = [m for m in self.memberships if m.period.end is None]
        return open_[-1].team_id if open_ else None


def age_on(born_on: date, day: date) -> int:
    """Completed years on `day`."""
    return day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))


@dataclass(frozen=True)
class Author:
    """Who writes: their person id, whether they are a coordinator (tenant-wide), and their municipalities."""

    person_id: str
    coordinator: bool = False
    tenants: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Permission:
    """The team an entry about the child on that day belongs to, and its municipality (the tenant)."""

    child_id: str
    team: TeamFacts


def may_write(
    author: Author, child: ChildFacts | None, teams: Mapping[str, TeamFacts], day: date, field_name: str = "child_id"
) -> Permission:
    """The team the author writes in about the child on `day`, or the refusal.

    NotFound (404): a child unknown to the case log, another municipality's child, a child not in any team
    on that day, or a team the mentor never worked in. RuleViolated (422): the participation had ended, or
    the mentor had handed the team over (or had not started yet) on that day.
    """
    if child is None:
        raise NotFound(field_name, "no such child in your teams")
    unknown = NotFound(field_name, f"no child {child.child_id} in your teams")
    if child.ended_on is not None and day >= child.ended_on:
        last_team_id = child.team_on(child.ended_on - timedelta(days=1))
        last_team = teams.get(last_team_id) if last_team_id else None
        if last_team is None or not _reaches(author, last_team):
            raise unknown
        raise RuleViolated(
            "on",
            f"child {child.child_id} left the programme on {child.ended_on.isoformat()} "
            f"({child.ended_because or 'ended'}): no entries from that day on",
        )
    team_id = child.team_on(day)
    team = teams.get(team_id) if team_id else None
    if team is None:
        if not author.coordinator and _ever_mentored_child(author, child, teams):
            raise RuleViolated("on", f"child {child.child_id} was not in your team on {day.isoformat()}")
        raise unknown
    if author.coordinator:
        if team.municipality_code not in author.tenants:
            raise unknown
        return Permission(child.child_id, team)
    if author.person_id in team.mentors_on(day):
        return Permission(child.child_id, team)
    terms = team.terms_of(author.person_id)
    if not terms:
        raise unknown
    successors = [m for m in team.mentors_on(day) if m != author.person_id]
    last = max(terms, key=lambda term: term.period.start)
    if last.period.end is not None and day >= last.period.end:
        handed = f" to {', '.join(successors)}" if successors else ""
        raise RuleViolated(
            "on",
            f"you handed team {team.team_id} over{handed} on {last.period.end.isoformat()}: an entry dated "
            f"{day.isoformat()} is the current mentor's to write",
        )
    raise RuleViolated("on", f"your work in team {team.team_id} had not started on {day.isoformat()}")


def may_write_all(
    author: Author, children: Iterable[ChildFacts | None], child_ids: Iterable[str], teams: Mapping[str, TeamFacts],
    day: date,
) -> TeamFacts:
    """One entry about several children: each must be writable, and all in the same team on that day."""
    found: dict[str, TeamFacts] = {}
    for index, (child_id, child) in enumerate(zip(child_ids, children, strict=True)):
        if child is None:
            raise NotFound(f"children[{index}].child_id", f"no child {child_id} in your teams")
        permission = may_write(author, child, teams, day, field_name=f"children[{index}].child_id")
        found[permission.team.team_id] = permission.team
    if len(found) != 1:
        raise RuleViolated(
            "children", f"the children were in different teams on {day.isoformat()} ({', '.join(sorted(found))}): "
            "record one entry per team",
        )
    return next(iter(found.values()))


def _ever_mentored_child(author: Author, child: ChildFacts, teams: Mapping[str, TeamFacts]) -> bool:
    return any(
        (team := teams.get(m.team_id)) is not None and bool(team.terms_of(author.person_id))
        for m in child.memberships
    )


def _reaches(author: Author, team: TeamFacts) -> bool:
    """Whether the author works, or ever worked, in the team (a coordinator: in its municipality)."""
    if author.coordinator:
        return team.municipality_code in author.tenants
    return bool(team.terms_of(author.person_id))
