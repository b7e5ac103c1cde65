"""Account aggregate (one per agreement): what each payer has been invoiced per team and period, by which
documents, and the drafts of the billing run under way. A billing run compares what is due now with what
was booked, so a late event corrects the next run and never an issued document."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from rinnalla_events import DomainEvent

from rinnalla_billing.domain import events as e

STREAM_TYPE = "account"

Key = tuple[str, str, str]
"""(payer_id, team_id, period label)"""


@dataclass(frozen=True)
class Booking:
    document_id: str
    number: str
    issued_on: date
    amount_cents: int


@dataclass(frozen=True)
class AccountState:
    agreement_id: str = ""
    runs: int = 0
    open_drafts: tuple[str, ...] = ()
    open_run: str = ""
    run_documents: tuple[str, ...] = ()
    """Every document of the latest run (open or not)."""
    bookings: dict[Key, tuple[Booking, ...]] = field(default_factory=dict)

    def booked(self, key: Key) -> int:
        return sum(b.amount_cents for b in self.bookings.get(key, ()))

    def booked_before_run(self, key: Key) -> int:
        """What was booked for the key by documents other than those of the latest run."""
        return sum(b.amount_cents for b in self.bookings.get(key, ()) if b.document_id not in self.run_documents)

    def invoiced_periods(self) -> set[str]:
        return {key[2] for key, bookings in self.bookings.items() if bookings}


def initial() -> AccountState:
    return AccountState()


def evolve(state: AccountState, event: DomainEvent) -> AccountState:
    match event:
        case e.DocumentsPrepared():
            return replace(
                state, agreement_id=event.agreement_id, runs=state.runs + 1,
                open_drafts=event.document_ids, open_run=event.run_period, run_documents=event.document_ids,
            )
        case e.ChargesBooked():
            bookings = dict(state.bookings)
            for line in event.lines:
                key = (line.payer_id, line.team_id, line.period)
                booking = Booking(event.document_id, event.number, event.issued_on, line.amount_cents)
                bookings[key] = (*bookings.get(key, ()), booking)
            return _released(replace(state, bookings=bookings), event.document_id)
        case e.DraftReleased():
            return _released(state, event.document_id)
    return state


def _released(state: AccountState, document_id: str) -> AccountState:
    drafts = tuple(d for d in state.open_drafts if d != document_id)
    return replace(state, open_drafts=drafts, open_run=state.open_run if drafts else "")
