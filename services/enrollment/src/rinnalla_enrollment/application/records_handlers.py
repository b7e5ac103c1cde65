"""Handlers for whose records they are and how long they are kept: a team's register, legal holds.

Load, decide, append, as the other handlers. A hold names what it covers (a child, a team or the whole
municipality); that record must exist in the municipality the hold is placed in, and the caller must work
for that municipality (otherwise 404, as everywhere).
"""

from __future__ import annotations

from rinnalla_events import CommandWriter, Outcome, StreamEvents

from rinnalla_enrollment.application.deciders import CHILD, LEGAL_HOLD, TEAM_REGISTER
from rinnalla_enrollment.application.policies import Guard
from rinnalla_enrollment.domain import records, team
from rinnalla_enrollment.domain.errors import NotFound


def _result(kind: str, stream_id: str, change: StreamEvents) -> dict[str, object]:
    return {"kind": kind, "id": stream_id, "events": [event.event_type for event in change.events]}


async def record_team_register(writer: CommandWriter, guard: Guard, command: records.RecordTeamRegister) -> Outcome:
    loaded = await writer.load(TEAM_REGISTER, command.team_id)
    if not loaded.state.exists:
        raise NotFound("team_id", f"team {command.team_id} does not exist")
    guard.team(loaded.state.municipality_code, command.team_id)
    change = StreamEvents(team.STREAM_TYPE, command.team_id, tuple(records.register_decide(loaded.state, command)))
    return await writer.commit([change], _result("team", command.team_id, change),
                               tenant=loaded.state.municipality_code)


async def _check_target(writer: CommandWriter, guard: Guard, command: records.PlaceLegalHold) -> None:
    """The record the hold covers exists in the hold's municipality (a stranger's looks missing)."""
    guard.tenant(command.municipality_code)
    match command.scope:
        case records.HoldScope.TEAM:
            found = await writer.load(TEAM_REGISTER, command.target_id)
            exists = found.state.exists and found.state.municipality_code == command.municipality_code
            what = "team"
        case records.HoldScope.CHILD:
            child = await writer.load(CHILD, command.target_id)
            exists = child.state.exists and child.state.municipality_code == command.municipality_code
            what = "child"
        case records.HoldScope.MUNICIPALITY:
            return
    if not exists:
        raise NotFound("target_id", f"no {what} {command.target_id} in municipality {command.municipality_code}")


async def place_legal_hold(writer: CommandWriter, guard: Guard, command: records.PlaceLegalHold) -> Outcome:
    await _check_target(writer, guard, command)
    loaded = await writer.load(LEGAL_HOLD, command.hold_id)
    if loaded.state.hold is not None:
        guard.tenant(loaded.state.hold.municipality_code)  # another municipality's hold answers 404, not 409
    change = StreamEvents(
        records.HOLD_STREAM_TYPE, command.hold_id, tuple(records.hold_decide(loaded.state, command))
    )
    return await writer.commit([change], _result("legal_hold", command.hold_id, change),
                               tenant=command.municipality_code)


async def lift_legal_hold(writer: CommandWriter, guard: Guard, command: records.LiftLegalHold) -> Outcome:
    loaded = await writer.load(LEGAL_HOLD, command.hold_id)
    hold = loaded.state.hold
    if hold is None:
        raise NotFound("hold_id", f"legal hold {command.hold_id} does not exist")
    guard.tenant(hold.municipality_code)
    change = StreamEvents(
        records.HOLD_STREAM_TYPE, command.hold_id, tuple(records.hold_decide(loaded.state, command))
    )
    return await writer.commit([change], _result("legal_hold", command.hold_id, change),
                               tenant=hold.municipality_code)
