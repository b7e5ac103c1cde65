"""The scheduled check over open referrals, at the service clock:

- each deadline that arrives or passes records its reminder or escalation once (`referral.check_deadlines`),
  and a referral long past its outcome's deadline expires;
- a referral resting on consent whose consent is no longer in force records that sharing stopped (the read
  routes stop serving its packet at once; the event shows it on the open referral and tells the recipient).

The candidates come from the read model; each one is loaded from the event store and decided there, so a
stale candidate list costs a load, never a wrong event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import rinnalla_consent as consent
from rinnalla_events import CommandWriter, EventMetadata, StreamEvents

from rinnalla_network.application.handlers import REFERRAL
from rinnalla_network.application.ports import ChildDirectory, Freshness
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import referral as referral_aggregate

SCHEDULER = "system:network-deadlines"


class OpenReferrals(Protocol):
    async def open_referral_ids(self) -> list[str]:
        """The referrals the read model shows as open."""
        ...


@dataclass
class CheckReport:
    checked: int = 0
    recorded: list[str] = field(default_factory=list)


@dataclass
class DeadlineCheck:
    open_referrals: OpenReferrals
    children: ChildDirectory
    freshness: Freshness
    writer: Callable[[EventMetadata], CommandWriter]

    async def run(self, at: datetime) -> CheckReport:
        report = CheckReport()
        today = consent.finnish_day(at)
        await self.freshness.ensure_current()
        for referral_id in await self.open_referral_ids():
            writer = self.writer(EventMetadata(actor=SCHEDULER))
            loaded = await writer.load(REFERRAL, referral_id)
            state = loaded.state
            if not state.is_open:
                continue
            report.checked += 1
            events = referral_aggregate.check_deadlines(state, today, at)
            stop = await self._sharing_ended(state, at)
            if stop is not None:
                events = [*events, *referral_aggregate.decide(
                    state, c.StopSharing(referral_id=referral_id, reason=stop, at=at))]
            if not events:
                continue
            changes = [StreamEvents(REFERRAL.stream_type, referral_id, tuple(events))]
            await writer.commit(changes, {"kind": "referral", "id": referral_id}, tenant=state.municipality_code)
            report.recorded += [f"{referral_id}:{event.event_type}" for event in events]
        return report

    async def open_referral_ids(self) -> list[str]:
        return await self.open_referrals.open_referral_ids()

    async def _sharing_ended(self, state: referral_aggregate.ReferralState, at: datetime) -> str | None:
        """Why sharing must stop now, or None while the consent the referral rests on allows it."""
        if state.sharing_stopped or state.organisation_kind is None:
            return None
        view = await self.children.consent_view(state.child_id)
        return referral_aggregate.sharing_stopped_because(
            view, state.child_id, state.organisation_kind, state.legal_basis, at
        )
