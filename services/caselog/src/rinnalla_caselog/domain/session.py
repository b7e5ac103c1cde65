"""A team session (practice, game, afternoon club, camp, excursion) and who attended it.

One stream per session, ("session", <session id>). The mentor of the team on the session's day, or a
coordinator, records it with the attendance of the team's children: present, or absent with a reason. The
absence reason may say something about the child's health or family, so it is the child's personal data
(encrypted with the child's key). A correction supersedes the whole record (`SessionCorrected`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints
from rinnalla_events import DomainEvent, Personal

from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue, NotFound, RuleViolated
from rinnalla_caselog.domain.roster import Author, ChildFacts, TeamFacts
from rinnalla_caselog.domain.values import MAX_TEAM_CHILDREN, Day, Id, Value, service_day

STREAM_TYPE = "session"
MAX_MINUTES = 5 * 24 * 60  # a camp lasts days


class SessionKind(StrEnum):
    PRACTICE = "practice"
    GAME = "game"
    AFTERNOON_CLUB = "afternoon_club"
    CAMP = "camp"
    EXCURSION = "excursion"


class AbsenceReason(StrEnum):
    ILL = "ill"
    FAMILY_REASON = "family_reason"
    SCHOOL_EVENT = "school_event"
    OTHER_HOBBY = "other_hobby"
    NOT_NOTIFIED = "not_notified"
    OTHER = "other"


class AttendanceEntry(Value):
    """As recorded in the log: the absence reason is encrypted ("" when present)."""

    child_id: Id
    present: bool
    absence_reason: Annotated[str, Personal(subject_field="child_id")] = ""


class Attendance(Value):
    """As a caller sends it."""

    child_id: Id
    present: bool
    absence_reason: AbsenceReason | None = None


class SessionHeld(DomainEvent):
    event_type: ClassVar[str] = "caselog.SessionHeld"
    session_id: str
    team_id: str
    on: date
    kind: SessionKind
    minutes: int
    attendance: tuple[AttendanceEntry, ...]
    held_by: str
    at: AwareDatetime


class SessionCorrected(DomainEvent):
    event_type: ClassVar[str] = "caselog.SessionCorrected"
    session_id: str
    team_id: str
    on: date
    kind: SessionKind
    minutes: int
    attendance: tuple[AttendanceEntry, ...]
    corrected_by: str
    reason: str
    at: AwareDatetime


SESSION_EVENTS: tuple[type[DomainEvent], ...] = (SessionHeld, SessionCorrected)


class SessionContent(Value):
    team_id: Id
    on: Day
    kind: SessionKind
    # the rule in check_content answers a length out of range with its reason; the schema shows the same bound
    minutes: int = Field(
        description="its length in minutes (a camp: the hours worked over its days)",
        json_schema_extra={"minimum": 1, "maximum": MAX_MINUTES},
    )
    attendance: tuple[Attendance, ...] = Field(
        max_length=MAX_TEAM_CHILDREN, description="the team's children who were expected"
    )


class HoldSession(SessionContent):
    session_id: Id
    at: AwareDatetime


class CorrectSession(SessionContent):
    session_id: Id
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    at: AwareDatetime


@dataclass(frozen=True)
class SessionState:
    exists: bool = False
    team_id: str = ""


def initial() -> SessionState:
    return SessionState()


def evolve(state: SessionState, event: DomainEvent) -> SessionState:
    if isinstance(event, SessionHeld | SessionCorrected):
        return SessionState(True, event.team_id)
    return state


def check_content(content: SessionContent, today: date) -> None:
    if content.on > today:
        raise InvalidValue("on", f"{content.on.isoformat()} is in the future (today is {today.isoformat()})")
    if not 1 <= content.minutes <= MAX_MINUTES:
        raise InvalidValue("minutes", f"a session lasts 1 to {MAX_MINUTES} minutes, not {content.minutes}")
    seen: set[str] = set()
    for index, entry in enumerate(content.attendance):
        if entry.child_id in seen:
            raise InvalidValue(f"attendance[{index}].child_id", f"child {entry.child_id} is listed twice")
        seen.add(entry.child_id)
        if entry.present and entry.absence_reason is not None:
            raise InvalidValue(f"attendance[{index}].absence_reason", "a child who was there has no absence reason")
        if not entry.present and entry.absence_reason is None:
            raise InvalidValue(f"attendance[{index}].absence_reason", "say why the child was absent")


def check_team_children(content: SessionContent, children: dict[str, ChildFacts]) -> None:
    """Every child listed was in the team on the session's day (others are not the caller's to name)."""
    for index, entry in enumerate(content.attendance):
        facts = children.get(entry.child_id)
        if facts is None or facts.team_on(content.on) != content.team_id:
            raise NotFound(f"attendance[{index}].child_id", f"no child {entry.child_id} in team {content.team_id} "
                           f"on {content.on.isoformat()}")


def may_hold(author: Author, team: TeamFacts | None, day: date) -> TeamFacts:
    """The team's mentor on that day, or a coordinator of its municipality; to anyone else it does not exist."""
    if team is None:
        raise NotFound("team_id", "no such team")
    if author.coordinator and team.municipality_code in author.tenants:
        return team
    if not author.coordinator and author.person_id in team.mentors_on(day):
        return team
    if not author.coordinator and team.terms_of(author.person_id):
        raise RuleViolated("on", f"you were not a mentor of team {team.team_id} on {day.isoformat()}")
    raise NotFound("team_id", f"no team {team.team_id} of yours")


def decide(
    state: SessionState, command: HoldSession | CorrectSession, author: Author, team: TeamFacts
) -> Sequence[DomainEvent]:
    check_content(command, service_day(command.at))
    entries = tuple(
        AttendanceEntry(child_id=a.child_id, present=a.present,
                        absence_reason=a.absence_reason.value if a.absence_reason else "")
        for a in command.attendance
    )
    common: dict[str, Any] = {
        "session_id": command.session_id, "team_id": team.team_id, "on": command.on, "kind": command.kind,
        "minutes": command.minutes, "attendance": entries, "at": command.at,
    }
    match command:
        case HoldSession():
            if state.exists:
                raise AlreadyExists("session_id", f"session {command.session_id} is already recorded: correct it")
            return [SessionHeld(**common, held_by=author.person_id)]
        case CorrectSession():
            if not state.exists or state.team_id != team.team_id:
                raise NotFound("session_id", f"no session {command.session_id} of team {team.team_id}")
            return [SessionCorrected(**common, corrected_by=author.person_id, reason=command.reason)]
