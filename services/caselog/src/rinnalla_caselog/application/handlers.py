"""Command handlers: load the stream and the roster facts, decide who may write, decide, append.

Every handler returns the command's `Outcome`; a retried command (same idempotency key and body) is
answered by the caller from `CommandWriter.previous()` without deciding again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rinnalla_events import CommandWriter, Outcome, StreamEvents

from rinnalla_caselog.application.deciders import ASSESSMENT, CONTACT, INSTRUMENT
from rinnalla_caselog.application.ports import Roster
from rinnalla_caselog.domain import assessment as assessment_aggregate
from rinnalla_caselog.domain import contact as contact_aggregate
from rinnalla_caselog.domain import instrument as instrument_aggregate
from rinnalla_caselog.domain.errors import NotFound
from rinnalla_caselog.domain.roster import Author, TeamFacts, may_write_all
from rinnalla_caselog.domain.values import service_day


async def team_for(roster: Roster, author: Author, child_ids: Iterable[str], day: date) -> TeamFacts:
    """The team the author writes in about these children on `day` (every refusal of the roster rule)."""
    ids = list(child_ids)
    children = await roster.children(ids)
    team_ids = {m.team_id for facts in children.values() for m in facts.memberships}
    teams = await roster.teams(team_ids)
    return may_write_all(author, [children.get(i) for i in ids], ids, teams, day)


def _result(kind: str, stream_id: str, changes: list[StreamEvents]) -> dict[str, object]:
    return {"kind": kind, "id": stream_id, "events": [e.event_type for c in changes for e in c.events]}


async def record_contact(
    writer: CommandWriter, roster: Roster, author: Author,
    command: contact_aggregate.RecordContact | contact_aggregate.CorrectContact,
) -> Outcome:
    """Record a contact, or correct one (a correction may move it to another day or other children: the
    roster decides again for the new content)."""
    loaded = await writer.load(CONTACT, command.contact_id)
    contact_aggregate.check_content(command, service_day(command.at))
    team = await team_for(roster, author, (c.child_id for c in command.children), command.on)
    original = None
    if loaded.state.exists:
        original = (await roster.teams([loaded.state.team_id])).get(loaded.state.team_id)
    events = contact_aggregate.decide(loaded.state, command, author, team, original)
    changes = [StreamEvents(CONTACT.stream_type, command.contact_id, tuple(events))]
    return await writer.commit(changes, _result("contact", command.contact_id, changes), tenant=team.municipality_code)


async def record_assessment(
    writer: CommandWriter, roster: Roster, author: Author,
    command: assessment_aggregate.RecordAssessment | assessment_aggregate.CorrectAssessment,
) -> Outcome:
    """Record an assessment, or correct the one recorded for the same child, instrument, informant and wave."""
    assessment_aggregate.check_content(command, service_day(command.at))
    team = await team_for(roster, author, [command.child_id], command.on)
    child = (await roster.children([command.child_id]))[command.child_id]
    register = await writer.load(INSTRUMENT, command.instrument)
    version = instrument_aggregate.version_of(command.instrument, command.version, register.state)
    if not instrument_aggregate.versions(command.instrument, register.state):
        raise NotFound("instrument", f"no instrument {command.instrument}")
    loaded = await writer.load(ASSESSMENT, command.assessment_id)
    events = assessment_aggregate.decide(loaded.state, command, author, version, child, team)
    changes = [StreamEvents(ASSESSMENT.stream_type, command.assessment_id, tuple(events))]
    return await writer.commit(
        changes, _result("assessment", command.assessment_id, changes), tenant=team.municipality_code
    )


async def define_instrument_version(
    writer: CommandWriter, roster: Roster, author: Author, command: instrument_aggregate.DefineInstrumentVersion
) -> Outcome:
    """Define a new instrument, or a new version of one (its scales stay comparable with the earlier ones)."""
    loaded = await writer.load(INSTRUMENT, command.code)
    events = instrument_aggregate.decide(loaded.state, command, author.person_id)
    changes = [StreamEvents(INSTRUMENT.stream_type, command.code, tuple(events))]
    return await writer.commit(changes, _result("instrument", command.code, changes))
