"""Decisions that change two aggregates at once: each aggregate keeps its own rules, and the caller
appends the events of every stream returned (all or nothing, with the versions it loaded).

- founding a team inside a partnership (the partnership counts its teams),
- enrolling a child (child: selection, identity, age, consent; team: room, late joining),
- transferring a child (the child stays in exactly one team; the new team checks room and age),
- a child's exit or completion (the team's roster follows; completion as a team alumnus needs the team's
  last year),
- a change of a team's mentors, or the team's end (the mentor lead index follows: one team per lead),
- withdrawing a consent: when it leaves an enrolled child without a participation consent, the child exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import rinnalla_consent as consent
from rinnalla_events import DomainEvent, StreamEvents

from rinnalla_enrollment.domain import child as child_aggregate
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain import mentor_lead
from rinnalla_enrollment.domain import partnership as partnership_aggregate
from rinnalla_enrollment.domain import team as team_aggregate
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.errors import NotFound, RuleViolated
from rinnalla_enrollment.domain.mentor_lead import MentorLeadState
from rinnalla_enrollment.domain.partnership import PartnershipState
from rinnalla_enrollment.domain.team import TeamState
from rinnalla_enrollment.domain.values import (
    ChildStatus,
    CompletionOutcome,
    ExitReason,
    MentorRole,
    RosterLeaveReason,
    finnish_date,
)

TEAM_YEARS = team_aggregate.PROGRAMME_YEARS


def _changes(*parts: tuple[str, str, list[DomainEvent]]) -> list[StreamEvents]:
    return [StreamEvents(kind, stream_id, tuple(events)) for kind, stream_id, events in parts if events]


def _loaded(state_id: str, expected_id: str, what: str) -> None:
    # A caller that loaded the wrong stream has a bug; refusing protects the other stream.
    if state_id and state_id != expected_id:
        raise ValueError(f"the {what} loaded is {state_id}, the command is for {expected_id}")


def found_team(team: TeamState, partnership: PartnershipState | None, command: c.FoundTeam) -> list[StreamEvents]:
    """Found a team; with a `partnership_id`, the partnership must be agreed and have room for it."""
    team_events = team_aggregate.decide(team, command)
    partnership_events: list[DomainEvent] = []
    if command.partnership_id is not None:
        if partnership is None or not partnership.exists:
            raise NotFound("partnership_id", f"partnership {command.partnership_id} does not exist")
        _loaded(partnership.partnership_id, command.partnership_id, "partnership")
        partnership_events = partnership_aggregate.decide(
            partnership,
            c.AddTeamToPartnership(
                partnership_id=command.partnership_id,
                team_id=command.team_id,
                municipality_code=command.municipality_code,
            ),
        )
    return _changes(
        (team_aggregate.STREAM_TYPE, command.team_id, team_events),
        (partnership_aggregate.STREAM_TYPE, command.partnership_id or "", partnership_events),
    )


def enrol_child(child: ChildState, team: TeamState, command: c.EnrolChild) -> list[StreamEvents]:
    child_events = child_aggregate.decide(child, command)
    _loaded(team.team_id, command.team_id, "team")
    join = c.JoinTeam(
        team_id=command.team_id,
        child_id=command.child_id,
        joined_on=command.enrolled_on,
        date_of_birth=command.child.date_of_birth,
    )
    team_events = team_aggregate.decide(team, join)
    return _changes(
        (child_aggregate.STREAM_TYPE, command.child_id, child_events),
        (team_aggregate.STREAM_TYPE, command.team_id, team_events),
    )


def transfer_child(
    child: ChildState, from_team: TeamState, to_team: TeamState, command: c.TransferChild
) -> list[StreamEvents]:
    child_events = child_aggregate.decide(child, command)
    _loaded(from_team.team_id, child.active_team_id or "", "team the child leaves")
    _loaded(to_team.team_id, command.to_team_id, "team the child joins")
    if child.date_of_birth is None:
        raise RuleViolated("child_id", "the child's date of birth is not known, so the age rules cannot be checked")
    join = c.JoinTeam(
        team_id=command.to_team_id,
        child_id=command.child_id,
        joined_on=command.transferred_on,
        date_of_birth=child.date_of_birth,
    )
    to_events = team_aggregate.decide(to_team, join)
    leave = c.LeaveTeam(
        team_id=from_team.team_id,
        child_id=command.child_id,
        left_on=command.transferred_on,
        reason=RosterLeaveReason.TRANSFERRED,
    )
    from_events = team_aggregate.decide(from_team, leave)
    return _changes(
        (child_aggregate.STREAM_TYPE, command.child_id, child_events),
        (team_aggregate.STREAM_TYPE, from_team.team_id, from_events),
        (team_aggregate.STREAM_TYPE, command.to_team_id, to_events),
    )


def exit_child(child: ChildState, team: TeamState, command: c.ExitChild) -> list[StreamEvents]:
    return _leave(child, team, command, command.exited_on, RosterLeaveReason.EXITED)


def complete_child(child: ChildState, team: TeamState, command: c.CompleteChildProgramme) -> list[StreamEvents]:
    changes = _leave(child, team, command, command.completed_on, RosterLeaveReason.COMPLETED)
    planned = team.planned_completion_year
    alumnus = command.outcome is CompletionOutcome.TEAM_COMPLETED
    if alumnus and planned is not None and command.completed_on.year < planned:
        raise RuleViolated(
            "outcome",
            f"the team completes its {TEAM_YEARS} years in {planned}; a child who leaves before that has not "
            "completed with the team",
        )
    return changes


def withdraw_consent(child: ChildState, team: TeamState | None, command: c.WithdrawConsent) -> list[StreamEvents]:
    """Withdraw a consent; if that leaves an enrolled child without a participation consent in force, the child
    exits on that day (the team's roster follows). The consent rules themselves are the child aggregate's."""
    child_events = child_aggregate.decide(child, command)
    after = child
    for event in child_events:
        after = child_aggregate.evolve(after, event)
    if after.status is not ChildStatus.ACTIVE or team is None:
        return _changes((child_aggregate.STREAM_TYPE, command.child_id, child_events))
    decision = consent.consent_in_force(after.consents, child.child_id, consent.Purpose.PARTICIPATION, command.at)
    if decision.allowed:
        return _changes((child_aggregate.STREAM_TYPE, command.child_id, child_events))
    exit_command = c.ExitChild(
        child_id=command.child_id,
        exited_on=finnish_date(command.at),
        reason=ExitReason.PARTICIPATION_CONSENT_WITHDRAWN,
        at=command.at,
    )
    exit_changes = exit_child(after, team, exit_command)
    exit_events = next(change.events for change in exit_changes if change.stream_type == child_aggregate.STREAM_TYPE)
    team_events = [event for change in exit_changes if change.stream_type != child_aggregate.STREAM_TYPE
                   for event in change.events]
    return _changes(
        (child_aggregate.STREAM_TYPE, command.child_id, [*child_events, *exit_events]),
        (team_aggregate.STREAM_TYPE, team.team_id, team_events),
    )


def _leave(
    child: ChildState,
    team: TeamState,
    command: c.ExitChild | c.CompleteChildProgramme,
    day: date,
    reason: RosterLeaveReason,
) -> list[StreamEvents]:
    child_events = child_aggregate.decide(child, command)
    team_id = child.active_team_id or ""
    _loaded(team.team_id, team_id, "team")
    leave = c.LeaveTeam(team_id=team_id, child_id=command.child_id, left_on=day, reason=reason)
    team_events = team_aggregate.decide(team, leave)
    return _changes(
        (child_aggregate.STREAM_TYPE, command.child_id, child_events),
        (team_aggregate.STREAM_TYPE, team_id, team_events),
    )


MentorCommand = c.AssignMentor | c.ReleaseMentor | c.HandOverMentor | c.CompleteTeam | c.TerminateTeam


def lead_mentors_involved(team: TeamState, command: MentorCommand) -> tuple[str, ...]:
    """The mentors whose lead streams the command may change: load these before `change_mentors`."""
    mentors: list[str] = []
    match command:
        case c.AssignMentor() if command.role is MentorRole.LEAD:
            mentors.append(command.mentor_id)
        case c.ReleaseMentor():
            mentors.append(command.mentor_id)
        case c.HandOverMentor():
            mentors.extend((command.outgoing_mentor_id, command.incoming_mentor_id))
        case c.CompleteTeam() | c.TerminateTeam() if team.lead_mentor is not None:
            mentors.append(team.lead_mentor.mentor_id)
        case _:
            pass
    return tuple(dict.fromkeys(mentors))


def change_mentors(
    team: TeamState, leads: Mapping[str, MentorLeadState], command: MentorCommand
) -> list[StreamEvents]:
    """The team decides; every lead post it fills claims the mentor, every one it empties releases them.
    `leads` holds the lead streams of `lead_mentors_involved(team, command)`."""
    team_events = team_aggregate.decide(team, command)
    index: dict[str, list[DomainEvent]] = {}

    def lead_stream(mentor_id: str, change: mentor_lead.ClaimLead | mentor_lead.ReleaseLead) -> None:
        if mentor_id not in leads:
            raise ValueError(f"the lead stream of mentor {mentor_id} was not loaded")
        index.setdefault(mentor_id, []).extend(mentor_lead.decide(leads[mentor_id], change))

    for event in team_events:
        match event:
            case e.MentorAssigned() if event.role is MentorRole.LEAD:
                lead_stream(event.mentor_id, mentor_lead.ClaimLead(event.mentor_id, team.team_id))
            case e.MentorLeft() if event.role is MentorRole.LEAD:
                lead_stream(event.mentor_id, mentor_lead.ReleaseLead(event.mentor_id, team.team_id))
            case e.TeamCompleted() | e.TeamTerminated() if team.lead_mentor is not None:
                mentor_id = team.lead_mentor.mentor_id
                lead_stream(mentor_id, mentor_lead.ReleaseLead(mentor_id, team.team_id))
            case _:
                pass
    return _changes(
        (team_aggregate.STREAM_TYPE, team.team_id, team_events),
        *((mentor_lead.STREAM_TYPE, mentor_id, events) for mentor_id, events in index.items()),
    )
