"""The case log's aggregates as deciders for the event-log helpers (decide takes extra context, so the
handlers call the domain's `decide` themselves; the decider's own is unused)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rinnalla_events import Decider, DomainEvent

from rinnalla_caselog.domain import assessment, contact, goal, instrument, notification, research, session, worktime
from rinnalla_caselog.domain.assessment import AssessmentState
from rinnalla_caselog.domain.contact import ContactState
from rinnalla_caselog.domain.instrument import InstrumentState


def _decided_by_handler(state: Any, command: Any) -> Sequence[DomainEvent]:
    raise TypeError("this aggregate decides through its handler, which passes the roster's answer")


CONTACT: Decider[ContactState, Any] = Decider(contact.STREAM_TYPE, contact.initial, contact.evolve, _decided_by_handler)
ASSESSMENT: Decider[AssessmentState, Any] = Decider(
    assessment.STREAM_TYPE, assessment.initial, assessment.evolve, _decided_by_handler
)
INSTRUMENT: Decider[InstrumentState, Any] = Decider(
    instrument.STREAM_TYPE, instrument.initial, instrument.evolve, _decided_by_handler
)
GOAL: Decider[goal.GoalState, Any] = Decider(goal.STREAM_TYPE, goal.initial, goal.evolve, _decided_by_handler)
SESSION: Decider[session.SessionState, Any] = Decider(
    session.STREAM_TYPE, session.initial, session.evolve, _decided_by_handler
)
WORKTIME: Decider[worktime.WorktimeState, Any] = Decider(
    worktime.STREAM_TYPE, worktime.initial, worktime.evolve, _decided_by_handler
)
NOTIFICATION: Decider[notification.NotificationState, Any] = Decider(
    notification.STREAM_TYPE, notification.initial, notification.evolve, _decided_by_handler
)
EXTRACT: Decider[research.ExtractState, Any] = Decider(
    research.STREAM_TYPE, research.initial, research.evolve, _decided_by_handler
)
