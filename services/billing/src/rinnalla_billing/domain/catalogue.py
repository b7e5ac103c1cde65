"""Every event billing records and publishes."""

from __future__ import annotations

from rinnalla_events import DomainEvent

from rinnalla_billing.domain.events import ALL_EVENTS
from rinnalla_billing.domain.sib import SIB_EVENTS

BILLING_EVENTS: tuple[type[DomainEvent], ...] = (*ALL_EVENTS, *SIB_EVENTS)
