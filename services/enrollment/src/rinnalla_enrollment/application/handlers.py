"""Command handlers: load the streams a command needs, check the caller may see them, decide, append.

Every handler returns the command's `Outcome`; a retried command (same idempotency key and body)
returns the first outcome without deciding again.
"""

from __future__ import annotations

from rinnalla_events import CommandWriter, ConcurrencyConflict, Loaded, Outcome, StreamEvents

from rinnalla_enrollment.application.deciders import CHILD, MENTOR_LEAD, PARTNERSHIP, TEAM
from rinnalla_enrollment.application.identity_index import claim_identity, without_identity_key
from rinnalla_enrollment.application.policies import Guard
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_enrollment.domain import child as child_aggregate
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain import partnership as partnership_aggregate
from rinnalla_enrollment.domain import team as team_aggregate
from rinnalla_enrollment.domain import workflows
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.errors import NotFound
from rinnalla_enrollment.domain.partnership import PartnershipState
from rinnalla_enrollment.domain.team import TeamState
from rinnalla_enrollment.domain.values import IdentityCodeKind


def _result(kind: str, stream_id: str, changes: list[StreamEvents]) -> dict[str, object]:
    return {
        "kind": kind,
        "id": stream_id,
        "events": [event.event_type for change in changes for event in change.events],
    }


def _tenant_of_team(guard: Guard, team: Loaded[TeamState], field: str = "team_id") -> None:
    if not team.state.exists:
        raise NotFound(field, f"team {team.stream_id} does not exist")
    guard.team(team.state.municipality_code, team.stream_id)


def _tenant_of_child(guard: Guard, child: Loaded[ChildState]) -> None:
    state = child.state
    if not state.exists:
        raise NotFound("child_id", f"child {child.stream_id} has not been nominated")
    guard.child(state.municipality_code, child.stream_id, state.active_team_id or state.considered_team_id)


def _tenant_of_partnership(guard: Guard, loaded: Loaded[PartnershipState]) -> None:
    if not loaded.state.exists:
        raise NotFound("partnership_id", f"partnership {loaded.stream_id} does not exist")
    guard.tenant(loaded.state.municipality_code)


async def _commit(
    writer: CommandWriter, kind: str, stream_id: str, changes: list[StreamEvents], tenant: str
) -> Outcome:
    return await writer.commit(changes, _result(kind, stream_id, changes), tenant=tenant)


# --- partnership ---------------------------------------------------------------------------------


async def open_partnership(writer: CommandWriter, guard: Guard, command: c.OpenPartnership) -> Outcome:
    guard.tenant(command.municipality_code)
    loaded = await writer.load(PARTNERSHIP, command.partnership_id)
    if loaded.state.exists:
        guard.tenant(loaded.state.municipality_code)
    events = partnership_aggregate.decide(loaded.state, command)
    changes = [StreamEvents(PARTNERSHIP.stream_type, command.partnership_id, tuple(events))]
    return await _commit(writer, "partnership", command.partnership_id, changes, command.municipality_code)


async def sign_partnership_agreement(
    writer: CommandWriter, guard: Guard, command: c.SignPartnershipAgreement
) -> Outcome:
    loaded = await writer.load(PARTNERSHIP, command.partnership_id)
    _tenant_of_partnership(guard, loaded)
    events = partnership_aggregate.decide(loaded.state, command)
    changes = [StreamEvents(PARTNERSHIP.stream_type, command.partnership_id, tuple(events))]
    return await _commit(writer, "partnership", command.partnership_id, changes, loaded.state.municipality_code)


PartnershipOnlyCommand = c.AgreeCostSharing | c.RecordNegotiationFailure | c.ChangeCountyCounterpart | c.EndPartnership


async def on_partnership(writer: CommandWriter, guard: Guard, command: PartnershipOnlyCommand) -> Outcome:
    """A command that changes the partnership alone."""
    loaded = await writer.load(PARTNERSHIP, command.partnership_id)
    _tenant_of_partnership(guard, loaded)
    events = partnership_aggregate.decide(loaded.state, command)
    changes = [StreamEvents(PARTNERSHIP.stream_type, command.partnership_id, tuple(events))]
    return await _commit(writer, "partnership", command.partnership_id, changes, loaded.state.municipality_code)


# --- team ----------------------------------------------------------------------------------------


async def found_team(writer: CommandWriter, guard: Guard, command: c.FoundTeam) -> Outcome:
    guard.tenant(command.municipality_code)
    team = await writer.load(TEAM, command.team_id)
    if team.state.exists:
        guard.tenant(team.state.municipality_code)
    partnership: PartnershipState | None = None
    if command.partnership_id is not None:
        loaded = await writer.load(PARTNERSHIP, command.partnership_id)
        _tenant_of_partnership(guard, loaded)
        partnership = loaded.state
    changes = workflows.found_team(team.state, partnership, command)
    return await _commit(writer, "team", command.team_id, changes, command.municipality_code)


TeamOnlyCommand = (
    c.ActivateTeam
    | c.ChooseSport
    | c.ChangeTeamSchools
    | c.ChangeMaxSize
    | c.CommitFunding
)


async def on_team(writer: CommandWriter, guard: Guard, command: TeamOnlyCommand) -> Outcome:
    """A command that changes the team alone."""
    team = await writer.load(TEAM, command.team_id)
    _tenant_of_team(guard, team)
    events = team_aggregate.decide(team.state, command)
    changes = [StreamEvents(TEAM.stream_type, command.team_id, tuple(events))]
    return await _commit(writer, "team", command.team_id, changes, team.state.municipality_code)


async def change_mentors(writer: CommandWriter, guard: Guard, command: workflows.MentorCommand) -> Outcome:
    """A change of the team's mentors, or its end: the lead index of each mentor involved follows."""
    team = await writer.load(TEAM, command.team_id)
    _tenant_of_team(guard, team)
    leads = {
        mentor_id: (await writer.load(MENTOR_LEAD, mentor_id)).state
        for mentor_id in workflows.lead_mentors_involved(team.state, command)
    }
    changes = workflows.change_mentors(team.state, leads, command)
    return await _commit(writer, "team", command.team_id, changes, team.state.municipality_code)


# --- child ---------------------------------------------------------------------------------------


async def nominate_child(writer: CommandWriter, guard: Guard, command: c.NominateChild) -> Outcome:
    guard.tenant(command.municipality_code)
    child = await writer.load(CHILD, command.child_id)
    if child.state.exists:
        _tenant_of_child(guard, child)
    if command.team_id is not None:
        team = await writer.load(TEAM, command.team_id)
        _tenant_of_team(guard, team, "team_id")
    events = child_aggregate.decide(child.state, command)
    changes = [StreamEvents(CHILD.stream_type, command.child_id, tuple(events))]
    return await _commit(writer, "child", command.child_id, changes, command.municipality_code)


ChildOnlyCommand = (
    c.InformGuardians
    | c.ChangeGuardians
    | c.RecordChildNotSelected
    | c.ChangeSchool
    | c.StartFollowUp
    | c.GiveConsent
    | c.RefuseConsent
    | c.RecordMinorProhibition
    | c.LiftMinorProhibition
    | c.AssessMinorUnderstanding
    | c.RecordCustodyException
    | c.RecordChildHearing
)


async def on_child(writer: CommandWriter, guard: Guard, command: ChildOnlyCommand) -> Outcome:
    """A command that changes the child's stream alone (selection steps, the consent register)."""
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    events = child_aggregate.decide(child.state, command)
    changes = [StreamEvents(CHILD.stream_type, command.child_id, tuple(events))]
    return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)


async def decide_selection(writer: CommandWriter, guard: Guard, command: c.SelectChild | c.WaitlistChild) -> Outcome:
    """Select or waitlist a child for a team of the same municipality."""
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    team = await writer.load(TEAM, command.team_id)
    _tenant_of_team(guard, team)
    events = child_aggregate.decide(child.state, command)
    changes = [StreamEvents(CHILD.stream_type, command.child_id, tuple(events))]
    return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)


async def enrol_child(writer: EnrollmentWriter, guard: Guard, command: c.EnrolChild) -> Outcome:
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    team = await writer.load(TEAM, command.team_id)
    _tenant_of_team(guard, team)
    changes = workflows.enrol_child(child.state, team.state, command)
    enrolled = next(event for event in changes[0].events if isinstance(event, e.ChildEnrolled))
    # The child's stream cannot see other children: the identity index keeps one child id per person. Only a
    # permanent code identifies a person for good; a child without one claims it when it is recorded.
    if enrolled.identity_code is IdentityCodeKind.PERMANENT:
        changes.append(await claim_identity(
            writer, writer.identity_keys, writer.identity_index, command.child_id, enrolled.hetu
        ))
    try:
        return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)
    except ConcurrencyConflict as conflict:
        raise without_identity_key(conflict) from None


async def record_permanent_identity(
    writer: EnrollmentWriter, guard: Guard, command: c.RecordPermanentIdentityCode
) -> Outcome:
    """The child's permanent identity code: the same child record, and the identity index claims the code."""
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    events = child_aggregate.decide(child.state, command)
    changes = [
        StreamEvents(CHILD.stream_type, command.child_id, tuple(events)),
        await claim_identity(
            writer, writer.identity_keys, writer.identity_index, command.child_id, command.hetu, field="hetu"
        ),
    ]
    try:
        return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)
    except ConcurrencyConflict as conflict:
        raise without_identity_key(conflict) from None


async def withdraw_consent(writer: CommandWriter, guard: Guard, command: c.WithdrawConsent) -> Outcome:
    """Withdraw a consent; a participation withdrawal that leaves an enrolled child without one exits the child."""
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    team = await writer.load(TEAM, child.state.active_team_id) if child.state.active_team_id else None
    changes = workflows.withdraw_consent(child.state, team.state if team else None, command)
    return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)


async def transfer_child(writer: CommandWriter, guard: Guard, command: c.TransferChild) -> Outcome:
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    from_team = await writer.load(TEAM, child.state.active_team_id or "")
    to_team = await writer.load(TEAM, command.to_team_id)
    _tenant_of_team(guard, to_team, "to_team_id")
    changes = workflows.transfer_child(child.state, from_team.state, to_team.state, command)
    return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)


async def end_participation(
    writer: CommandWriter, guard: Guard, command: c.ExitChild | c.CompleteChildProgramme
) -> Outcome:
    """A child's exit or completion; the team's roster follows."""
    child = await writer.load(CHILD, command.child_id)
    _tenant_of_child(guard, child)
    team = await writer.load(TEAM, child.state.active_team_id or "")
    if isinstance(command, c.ExitChild):
        changes = workflows.exit_child(child.state, team.state, command)
    else:
        changes = workflows.complete_child(child.state, team.state, command)
    return await _commit(writer, "child", command.child_id, changes, child.state.municipality_code)
