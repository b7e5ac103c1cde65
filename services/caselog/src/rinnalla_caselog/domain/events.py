"""Every event the case log records: past tense, `caselog.` names, schema versions (the published contract)."""

from __future__ import annotations

from rinnalla_events import DomainEvent

from rinnalla_caselog.domain.assessment import ASSESSMENT_EVENTS
from rinnalla_caselog.domain.contact import CONTACT_EVENTS
from rinnalla_caselog.domain.goal import GOAL_EVENTS
from rinnalla_caselog.domain.instrument import INSTRUMENT_EVENTS
from rinnalla_caselog.domain.notification import NOTIFICATION_EVENTS
from rinnalla_caselog.domain.research import RESEARCH_EVENTS
from rinnalla_caselog.domain.session import SESSION_EVENTS
from rinnalla_caselog.domain.worktime import WORKTIME_EVENTS

ALL_EVENTS: tuple[type[DomainEvent], ...] = (
    *CONTACT_EVENTS, *ASSESSMENT_EVENTS, *INSTRUMENT_EVENTS, *GOAL_EVENTS, *SESSION_EVENTS, *WORKTIME_EVENTS,
    *NOTIFICATION_EVENTS, *RESEARCH_EVENTS,
)
