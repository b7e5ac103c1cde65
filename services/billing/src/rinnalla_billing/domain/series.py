"""Number series: one per seller and year, numbered 1, 2, 3... without gaps.

The series is a stream of its own; taking a number appends `NumberTaken` to it in the same transaction as
the document's `DocumentIssued`, expecting the series' current version. The event store's unique
(stream, version) row is the counter: of two issues racing for the same number one commits and the other
gets a concurrency conflict and takes the next number on its retry. A number is never skipped (a failed
transaction takes none) and never given twice; a failed delivery keeps its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rinnalla_events import DomainEvent

from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.references import finnish_reference, rf_reference

STREAM_TYPE = "series"


@dataclass(frozen=True)
class SeriesState:
    last: int = 0


def initial() -> SeriesState:
    return SeriesState()


def evolve(state: SeriesState, event: DomainEvent) -> SeriesState:
    if isinstance(event, e.NumberTaken):
        return SeriesState(last=event.sequence)
    return state


def series_id(seller_business_id: str, year: int) -> str:
    return f"{seller_business_id}-{year}"


@dataclass(frozen=True)
class Numbered:
    series: str
    sequence: int
    number: str
    reference: str
    rf_reference: str


def next_number(state: SeriesState, seller_business_id: str, day: date) -> Numbered:
    """The next number of the seller's series for `day`'s year: `<year><sequence, 6 digits>`, e.g.
    `2026000001`; its payment reference is the number with its 7-3-1 check digit, and the RF form of that."""
    sequence = state.last + 1
    number = f"{day.year}{sequence:06d}"
    reference = finnish_reference(number)
    return Numbered(series_id(seller_business_id, day.year), sequence, number, reference, rf_reference(reference))
