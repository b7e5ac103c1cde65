"""Command handlers: load the stream and the roster facts, decide who may write, decide, append.

Every handler returns the command's `Outcome`; a retried command (same idempotency key and body) is
answered by the caller from `CommandWriter.previous()` without deciding again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rinnalla_events import CommandWriter, Outcome, StreamEvents

from rinnalla_caselog.application.deciders import (
    ASSESSMENT,
    CONTACT,
    GOAL,
    INSTRUMENT,
    NOTIFICATION,
    SESSION,
    WORKTIME,
)
from rinnalla_caselog.application.ports import Roster
from rinnalla_caselog.domain import assessment as assessment_aggregate
from rinnalla_caselog.domain import contact as contact_aggregate
from rinnalla_caselog.domain import goal as goal_aggregate
from rinnalla_caselog.domain import instrument as instrument_aggregate
from rinnalla_caselog.domain import notification as notification_aggregate
from rinnalla_caselog.domain import session as session_aggregate
from rinnalla_caselog.domain import worktime as worktime_aggregate
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


async def set_goal(writer: CommandWriter, roster: Roster, author: Author, command: goal_aggregate.SetGoal) -> Outcome:
    team = await team_for(roster, author, [command.child_id], command.set_on)
    loaded = await writer.load(GOAL, command.goal_id)
    events = goal_aggregate.decide_set(loaded.state, command, author, team)
    changes = [StreamEvents(GOAL.stream_type, command.goal_id, tuple(events))]
    return await writer.commit(changes, _result("goal", command.goal_id, changes), tenant=team.municipality_code)


async def review_goal(
    writer: CommandWriter, roster: Roster, author: Author, command: goal_aggregate.ReviewGoal
) -> Outcome:
    """The roster decides for the goal's child on the review's day: the incoming mentor reviews the
    predecessor's goals, the outgoing one no longer does."""
    loaded = await writer.load(GOAL, command.goal_id)
    if not loaded.state.exists:
        raise NotFound("goal_id", f"no goal {command.goal_id}")
    team = await team_for(roster, author, [loaded.state.child_id], command.reviewed_on)
    events = goal_aggregate.decide_review(loaded.state, command, author, team)
    changes = [StreamEvents(GOAL.stream_type, command.goal_id, tuple(events))]
    result = {**_result("goal", command.goal_id, changes), "subjects": [loaded.state.child_id]}
    return await writer.commit(changes, result, tenant=team.municipality_code)


async def hold_session(
    writer: CommandWriter, roster: Roster, author: Author,
    command: session_aggregate.HoldSession | session_aggregate.CorrectSession,
) -> Outcome:
    """Record a team session with its attendance, or correct one."""
    session_aggregate.check_content(command, service_day(command.at))
    team = session_aggregate.may_hold(author, (await roster.teams([command.team_id])).get(command.team_id), command.on)
    children = await roster.children(a.child_id for a in command.attendance)
    session_aggregate.check_team_children(command, dict(children))
    loaded = await writer.load(SESSION, command.session_id)
    events = session_aggregate.decide(loaded.state, command, author, team)
    changes = [StreamEvents(SESSION.stream_type, command.session_id, tuple(events))]
    return await writer.commit(
        changes, _result("session", command.session_id, changes), tenant=team.municipality_code
    )


async def report_time(
    writer: CommandWriter, roster: Roster, author: Author, command: worktime_aggregate.ReportTime
) -> Outcome:
    """The caller's own administration time for a week (the latest report counts)."""
    stream_id = worktime_aggregate.stream_id(author.person_id, command.week)
    loaded = await writer.load(WORKTIME, stream_id)
    events = worktime_aggregate.decide(loaded.state, command, author.person_id)
    changes = [StreamEvents(WORKTIME.stream_type, stream_id, tuple(events))]
    tenant = next(iter(author.tenants)) if len(author.tenants) == 1 else None
    return await writer.commit(changes, _result("worktime", stream_id, changes), tenant=tenant)


async def record_notification_filed(
    writer: CommandWriter, roster: Roster, author: Author, command: notification_aggregate.RecordNotificationFiled
) -> Outcome:
    """Record that a child-welfare notification was filed (its content went through the county's channel)."""
    team = await team_for(roster, author, [command.child_id], command.filed_on)
    loaded = await writer.load(NOTIFICATION, command.marker_id)
    events = notification_aggregate.decide(loaded.state, command, author, team)
    changes = [StreamEvents(NOTIFICATION.stream_type, command.marker_id, tuple(events))]
    return await writer.commit(
        changes, _result("notification", command.marker_id, changes), tenant=team.municipality_code
    )
