"""Team aggregate: one mentor's team (joukkue) for 12 years, its mentors, roster and funding.

Lifecycle: forming (preschool year, children being selected) -> active (from school start) ->
completed after 12 years, or terminated early with a reason. Teams usually have 15-25 children; the
maximum is configurable (default 25). Children may join an active team late, up to age 12, while
there is room.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import assert_never

from rinnalla_events import DomainEvent
from rinnalla_refdata import ReferenceDataError, county_of

from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.errors import (
    AlreadyExists,
    InvalidTransition,
    InvalidValue,
    NotFound,
    RuleViolated,
)
from rinnalla_enrollment.domain.values import (
    FundingSource,
    MentorContact,
    MentorLeaveReason,
    MentorRole,
    RosterLeaveReason,
    School,
    TeamGender,
    TeamStatus,
    TerminationReason,
    age_on,
    check_school,
    require_text,
)

STREAM_TYPE = "team"
PROGRAMME_YEARS = 12
TARGET_SIZE = range(15, 26)  # 15-25 children
DEFAULT_MAX_SIZE = 25
LARGEST_MAX_SIZE = 40  # a sanity bound against typos; real teams stay at about 20
LATE_JOIN_MAX_AGE = 12
OPEN = frozenset({TeamStatus.FORMING, TeamStatus.ACTIVE})


@dataclass(frozen=True)
class MentorAssignment:
    mentor_id: str
    role: MentorRole
    started_on: date
    ended_on: date | None = None
    end_reason: MentorLeaveReason | None = None
    predecessor_id: str | None = None
    successor_id: str | None = None

    @property
    def current(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class RosterEntry:
    child_id: str
    joined_on: date
    late_join: bool
    left_on: date | None = None
    leave_reason: RosterLeaveReason | None = None

    @property
    def current(self) -> bool:
        return self.left_on is None


@dataclass(frozen=True)
class FundingCommitment:
    year: int
    source: FundingSource
    funder: str
    amount_eur: Decimal


@dataclass(frozen=True)
class TeamState:
    team_id: str = ""
    status: TeamStatus | None = None  # None: no such team
    name: str = ""
    municipality_code: str = ""
    county_code: str = ""
    area: str = ""
    partnership_id: str | None = None
    main_school: School | None = None
    other_schools: tuple[School, ...] = ()
    cohort_birth_years: tuple[int, ...] = ()
    gender: TeamGender = TeamGender.MIXED
    sport: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    founded_on: date | None = None
    activated_on: date | None = None
    ended_on: date | None = None
    termination_reason: TerminationReason | None = None
    termination_details: str = ""
    mentors: tuple[MentorAssignment, ...] = ()  # full history, oldest first
    roster: tuple[RosterEntry, ...] = ()  # full history, oldest first
    funding: tuple[FundingCommitment, ...] = ()

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def current_mentors(self) -> tuple[MentorAssignment, ...]:
        return tuple(m for m in self.mentors if m.current)

    @property
    def lead_mentor(self) -> MentorAssignment | None:
        return next((m for m in self.current_mentors if m.role is MentorRole.LEAD), None)

    @property
    def vacant_since(self) -> date | None:
        """Since when the team has had no lead mentor (None while it has one, or once it has ended)."""
        if self.lead_mentor is not None or self.status not in OPEN:
            return None
        ended = [m.ended_on for m in self.mentors if m.role is MentorRole.LEAD and m.ended_on is not None]
        return max(ended) if ended else self.founded_on

    @property
    def children(self) -> tuple[str, ...]:
        return tuple(entry.child_id for entry in self.roster if entry.current)

    @property
    def size(self) -> int:
        return len(self.children)

    @property
    def places_left(self) -> int:
        return max(0, self.max_size - self.size)

    @property
    def within_target_size(self) -> bool:
        return self.size in TARGET_SIZE

    @property
    def planned_completion_year(self) -> int | None:
        return self.founded_on.year + PROGRAMME_YEARS if self.founded_on else None

    def funding_in(self, year: int) -> tuple[FundingCommitment, ...]:
        return tuple(f for f in self.funding if f.year == year)


def initial() -> TeamState:
    return TeamState()


def decide(state: TeamState, command: c.TeamCommand) -> list[DomainEvent]:
    if isinstance(command, c.FoundTeam):
        return _found(state, command)
    if not state.exists:
        raise NotFound("team_id", f"team {command.team_id} does not exist")
    match command:
        case c.ActivateTeam():
            return _activate(state, command)
        case c.ChooseSport():
            _require_open(state, "choose the sport")
            require_text(command.sport, "sport", "the sport")
            if command.sport.strip() == state.sport:
                return []
            return [e.SportChosen(team_id=state.team_id, sport=command.sport.strip(), chosen_on=command.chosen_on)]
        case c.ChangeTeamSchools():
            _require_open(state, "change the schools")
            _check_schools(command.main_school, command.other_schools)
            return [
                e.TeamSchoolsChanged(
                    team_id=state.team_id, main_school=command.main_school, other_schools=command.other_schools
                )
            ]
        case c.ChangeMaxSize():
            _require_open(state, "change the maximum size")
            _check_max_size(command.max_size)
            if command.max_size < state.size:
                raise RuleViolated(
                    "max_size", f"the team already has {state.size} children; the maximum cannot be lower"
                )
            return [e.TeamMaxSizeChanged(team_id=state.team_id, max_size=command.max_size)]
        case c.CommitFunding():
            return _commit_funding(state, command)
        case c.AssignMentor():
            return _assign_mentor(state, command)
        case c.ReleaseMentor():
            return _release_mentor(state, command)
        case c.HandOverMentor():
            return _hand_over(state, command)
        case c.JoinTeam():
            return _join(state, command)
        case c.LeaveTeam():
            return _leave(state, command)
        case c.CompleteTeam():
            return _complete(state, command)
        case c.TerminateTeam():
            _require_open(state, "terminate the team")
            return [
                e.TeamTerminated(
                    team_id=state.team_id,
                    terminated_on=command.terminated_on,
                    reason=command.reason,
                    record_id=e.team_record(state.team_id),
                    details=command.details,
                )
            ]
        case _:
            assert_never(command)


def _found(state: TeamState, command: c.FoundTeam) -> list[DomainEvent]:
    if state.exists:
        raise AlreadyExists("team_id", f"team {command.team_id} already exists")
    require_text(command.name, "name", "the team's name")
    require_text(command.area, "area", "the area the team is formed from")
    try:
        county = county_of(command.municipality_code)
    except ReferenceDataError as exc:
        raise InvalidValue("municipality_code", exc.reason) from None
    _check_schools(command.main_school, command.other_schools)
    _check_cohort(command.cohort_birth_years, command.founded_on)
    _check_max_size(command.max_size)
    return [
        e.TeamFounded(
            team_id=command.team_id,
            name=command.name.strip(),
            municipality_code=command.municipality_code,
            county_code=county.code,
            area=command.area.strip(),
            main_school=command.main_school,
            other_schools=command.other_schools,
            cohort_birth_years=tuple(sorted(command.cohort_birth_years)),
            founded_on=command.founded_on,
            gender=command.gender,
            max_size=command.max_size,
            partnership_id=command.partnership_id,
        )
    ]


def _check_schools(main: School, others: tuple[School, ...]) -> None:
    check_school(main, "main_school")
    for index, school in enumerate(others):
        check_school(school, f"other_schools[{index}]")


def _check_cohort(years: tuple[int, ...], founded_on: date) -> None:
    if not years:
        raise InvalidValue("cohort_birth_years", "at least one birth year is required")
    if len(set(years)) != len(years):
        raise InvalidValue("cohort_birth_years", "a birth year is listed twice")
    # Teams start from preschool (age 6) and take children up to age 12.
    earliest, latest = founded_on.year - LATE_JOIN_MAX_AGE, founded_on.year - 5
    for index, year in enumerate(years):
        if not earliest <= year <= latest:
            raise InvalidValue(
                f"cohort_birth_years[{index}]",
                f"a team founded in {founded_on.year} is for children born {earliest}-{latest}, not {year}",
            )


def _check_max_size(max_size: int) -> None:
    if not 1 <= max_size <= LARGEST_MAX_SIZE:
        raise InvalidValue("max_size", f"the maximum size must be between 1 and {LARGEST_MAX_SIZE}, got {max_size}")


def _require_open(state: TeamState, action: str) -> None:
    if state.status not in OPEN:
        raise InvalidTransition("team_id", f"cannot {action}: the team is {state.status}")


def _activate(state: TeamState, command: c.ActivateTeam) -> list[DomainEvent]:
    if state.status is not TeamStatus.FORMING:
        raise InvalidTransition("team_id", f"only a forming team can become active; the team is {state.status}")
    if state.founded_on is not None and command.activated_on < state.founded_on:
        raise InvalidValue("activated_on", "a team cannot become active before it was founded")
    if state.lead_mentor is None:
        raise RuleViolated("team_id", "a team needs a lead mentor before it becomes active")
    if state.size == 0:
        raise RuleViolated("team_id", "a team needs at least one child before it becomes active")
    return [e.TeamActivated(team_id=state.team_id, activated_on=command.activated_on)]


def _commit_funding(state: TeamState, command: c.CommitFunding) -> list[DomainEvent]:
    _require_open(state, "commit funding")
    assert state.founded_on is not None
    first, last = state.founded_on.year, state.founded_on.year + PROGRAMME_YEARS
    if not first <= command.year <= last:
        raise InvalidValue("year", f"the team runs {first}-{last}; funding for {command.year} is outside it")
    if command.amount_eur <= 0:
        raise InvalidValue("amount_eur", "the amount must be positive")
    if command.amount_eur != command.amount_eur.quantize(Decimal("0.01")):
        raise InvalidValue("amount_eur", "the amount has at most two decimals (euro cents)")
    match command.source:
        case FundingSource.MUNICIPALITY:
            funder = state.municipality_code
        case FundingSource.WELLBEING_COUNTY:
            funder = state.county_code
        case FundingSource.SIB_CONTRACT:
            require_text(command.sib_contract_id, "sib_contract_id", "the SIB contract id")
            funder = command.sib_contract_id.strip()
        case FundingSource.FOUNDATION | FundingSource.OTHER:
            require_text(command.funder_name, "funder_name", "the funder's name")
            funder = command.funder_name.strip()
        case _:
            assert_never(command.source)
    return [
        e.FundingCommitted(
            team_id=state.team_id,
            year=command.year,
            source=command.source,
            funder=funder,
            amount_eur=command.amount_eur,
        )
    ]


def _assign_mentor(state: TeamState, command: c.AssignMentor) -> list[DomainEvent]:
    _require_open(state, "assign a mentor")
    if any(m.mentor_id == command.mentor_id for m in state.current_mentors):
        raise RuleViolated("mentor_id", f"mentor {command.mentor_id} already works in this team")
    if state.founded_on is not None and command.starts_on < state.founded_on:
        raise InvalidValue("starts_on", "a mentor cannot start before the team was founded")
    _check_not_back_in_past(state, command.mentor_id, command.starts_on, "starts_on")
    _check_role_free(state, command.role)
    return [
        e.MentorAssigned(
            team_id=state.team_id, mentor_id=command.mentor_id, role=command.role, starts_on=command.starts_on,
            **_contact_fields(command.contact),
        )
    ]


def _check_not_back_in_past(state: TeamState, mentor_id: str, starts_on: date, field: str) -> None:
    """A mentor who left the team may come back, but not on a day their earlier assignment still covered:
    one mentor is assigned to a team at most once on any day."""
    ended = [m.ended_on for m in state.mentors if m.mentor_id == mentor_id and m.ended_on is not None]
    if ended and starts_on <= max(ended):
        raise RuleViolated(
            field,
            f"mentor {mentor_id} worked in this team until {max(ended).isoformat()}; "
            "a new assignment starts after that day",
        )


def _contact_fields(contact: MentorContact | None) -> dict[str, str]:
    if contact is None:
        return {}
    return {"contact_name": contact.name, "contact_phone": contact.phone, "contact_email": contact.email}


def _check_role_free(state: TeamState, role: MentorRole) -> None:
    if role is MentorRole.RESOURCE:
        return
    holder = next((m for m in state.current_mentors if m.role is role), None)
    if holder is not None:
        raise RuleViolated(
            "role", f"the team already has a {role.value} mentor ({holder.mentor_id}); hand the role over instead"
        )


def _current_assignment(state: TeamState, mentor_id: str, field: str) -> MentorAssignment:
    assignment = next((m for m in state.current_mentors if m.mentor_id == mentor_id), None)
    if assignment is None:
        raise NotFound(field, f"mentor {mentor_id} does not work in this team")
    return assignment


def _release_mentor(state: TeamState, command: c.ReleaseMentor) -> list[DomainEvent]:
    assignment = _current_assignment(state, command.mentor_id, "mentor_id")
    if command.left_on < assignment.started_on:
        raise InvalidValue("left_on", "a mentor cannot leave before they started")
    return [
        e.MentorLeft(
            team_id=state.team_id,
            mentor_id=command.mentor_id,
            role=assignment.role,
            left_on=command.left_on,
            reason=command.reason,
        )
    ]


def _hand_over(state: TeamState, command: c.HandOverMentor) -> list[DomainEvent]:
    _require_open(state, "hand over a mentor role")
    outgoing = _current_assignment(state, command.outgoing_mentor_id, "outgoing_mentor_id")
    if any(m.mentor_id == command.incoming_mentor_id for m in state.current_mentors):
        raise RuleViolated("incoming_mentor_id", f"mentor {command.incoming_mentor_id} already works in this team")
    if command.handed_over_on < outgoing.started_on:
        raise InvalidValue("handed_over_on", "the outgoing mentor had not started yet on that day")
    _check_not_back_in_past(state, command.incoming_mentor_id, command.handed_over_on, "handed_over_on")
    return [
        e.MentorLeft(
            team_id=state.team_id,
            mentor_id=outgoing.mentor_id,
            role=outgoing.role,
            left_on=command.handed_over_on,
            reason=MentorLeaveReason.HANDED_OVER,
            successor_id=command.incoming_mentor_id,
        ),
        e.MentorAssigned(
            team_id=state.team_id,
            mentor_id=command.incoming_mentor_id,
            role=outgoing.role,
            starts_on=command.handed_over_on,
            predecessor_id=outgoing.mentor_id,
            **_contact_fields(command.incoming_contact),
        ),
    ]


def _join(state: TeamState, command: c.JoinTeam) -> list[DomainEvent]:
    _require_open(state, "add a child")
    if command.child_id in state.children:
        return []
    if state.places_left == 0:
        raise RuleViolated("team_id", f"team {state.name} is full: all {state.max_size} places are taken")
    late = state.status is TeamStatus.ACTIVE
    age = age_on(command.date_of_birth, command.joined_on)
    if late and age > LATE_JOIN_MAX_AGE:
        raise RuleViolated(
            "child.date_of_birth",
            f"children can join an active team up to age {LATE_JOIN_MAX_AGE}; this child is {age}",
        )
    return [
        e.ChildJoinedTeam(team_id=state.team_id, child_id=command.child_id, joined_on=command.joined_on, late_join=late)
    ]


def _leave(state: TeamState, command: c.LeaveTeam) -> list[DomainEvent]:
    entry = next((r for r in state.roster if r.current and r.child_id == command.child_id), None)
    if entry is None:
        raise NotFound("child_id", f"child {command.child_id} is not in this team")
    if command.left_on < entry.joined_on:
        raise InvalidValue("left_on", "a child cannot leave before joining")
    return [
        e.ChildLeftTeam(
            team_id=state.team_id, child_id=command.child_id, left_on=command.left_on, reason=command.reason
        )
    ]


def _complete(state: TeamState, command: c.CompleteTeam) -> list[DomainEvent]:
    if state.status is not TeamStatus.ACTIVE:
        raise InvalidTransition("team_id", f"only an active team can complete; the team is {state.status}")
    planned = state.planned_completion_year
    if planned is not None and command.completed_on.year < planned:
        raise RuleViolated(
            "completed_on",
            f"a team completes after {PROGRAMME_YEARS} years, from {planned} on; to end earlier, terminate it",
        )
    if state.size:
        raise RuleViolated(
            "team_id", f"{state.size} children are still in the team; record their completion or exit first"
        )
    return [e.TeamCompleted(team_id=state.team_id, completed_on=command.completed_on)]


def evolve(state: TeamState, event: DomainEvent) -> TeamState:
    match event:
        case e.TeamFounded():
            return TeamState(
                team_id=event.team_id,
                status=TeamStatus.FORMING,
                name=event.name,
                municipality_code=event.municipality_code,
                county_code=event.county_code,
                area=event.area,
                partnership_id=event.partnership_id,
                main_school=event.main_school,
                other_schools=event.other_schools,
                cohort_birth_years=event.cohort_birth_years,
                gender=event.gender,
                max_size=event.max_size,
                founded_on=event.founded_on,
            )
        case e.TeamActivated():
            return replace(state, status=TeamStatus.ACTIVE, activated_on=event.activated_on)
        case e.SportChosen():
            return replace(state, sport=event.sport)
        case e.TeamSchoolsChanged():
            return replace(state, main_school=event.main_school, other_schools=event.other_schools)
        case e.TeamMaxSizeChanged():
            return replace(state, max_size=event.max_size)
        case e.FundingCommitted():
            commitment = FundingCommitment(event.year, event.source, event.funder, event.amount_eur)
            kept = tuple(
                f for f in state.funding if (f.year, f.source, f.funder) != (event.year, event.source, event.funder)
            )
            return replace(state, funding=(*kept, commitment))
        case e.MentorAssigned():
            assignment = MentorAssignment(
                event.mentor_id, event.role, event.starts_on, predecessor_id=event.predecessor_id
            )
            return replace(state, mentors=(*state.mentors, assignment))
        case e.MentorLeft():
            mentors = tuple(
                replace(m, ended_on=event.left_on, end_reason=event.reason, successor_id=event.successor_id)
                if m.current and m.mentor_id == event.mentor_id
                else m
                for m in state.mentors
            )
            return replace(state, mentors=mentors)
        case e.ChildJoinedTeam():
            entry = RosterEntry(event.child_id, event.joined_on, event.late_join)
            return replace(state, roster=(*state.roster, entry))
        case e.ChildLeftTeam():
            roster = tuple(
                replace(r, left_on=event.left_on, leave_reason=event.reason)
                if r.current and r.child_id == event.child_id
                else r
                for r in state.roster
            )
            return replace(state, roster=roster)
        case e.TeamCompleted():
            return replace(state, status=TeamStatus.COMPLETED, ended_on=event.completed_on)
        case e.TeamTerminated():
            return replace(
                state,
                status=TeamStatus.TERMINATED,
                ended_on=event.terminated_on,
                termination_reason=event.reason,
                termination_details=event.details,
            )
        case _:
            return state
