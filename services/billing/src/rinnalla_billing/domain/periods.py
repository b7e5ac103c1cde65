"""Billing periods: a month, a quarter, a half-year or a year, named by a label (`2026-04`, `2026-Q2`,
`2026-H1`, `2026`). A team's charge for a period is the annual price divided by the periods in a year, and
for a team active only part of the period that charge prorated by the days it was active."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from rinnalla_billing.domain.errors import InvalidValue


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]

    @property
    def per_year(self) -> int:
        return 12 // self.months


@dataclass(frozen=True, order=True)
class Period:
    """A billing period, first and last day inclusive."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap_days(self, first: date | None, last: date | None) -> int:
        """Days of this period within [first, last] (both inclusive; None: open on that side)."""
        begin = max(self.start, first) if first is not None else self.start
        finish = min(self.end, last) if last is not None else self.end
        return max(0, (finish - begin).days + 1)


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _period(year: int, first_month: int, months: int, label: str) -> Period:
    last_month = first_month + months - 1
    return Period(date(year, first_month, 1), _month_end(year, last_month), label)


_PATTERNS: dict[Frequency, re.Pattern[str]] = {
    Frequency.MONTHLY: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    Frequency.QUARTERLY: re.compile(r"^(\d{4})-Q([1-4])$"),
    Frequency.HALF_YEARLY: re.compile(r"^(\d{4})-H([12])$"),
    Frequency.YEARLY: re.compile(r"^(\d{4})$"),
}
_EXAMPLES = {
    Frequency.MONTHLY: "2026-04",
    Frequency.QUARTERLY: "2026-Q2",
    Frequency.HALF_YEARLY: "2026-H1",
    Frequency.YEARLY: "2026",
}


def period_of(frequency: Frequency, label: str, field: str = "period") -> Period:
    """The period a label names; the label must be of the agreement's frequency."""
    match = _PATTERNS[frequency].match(label)
    if match is None:
        raise InvalidValue(field, f"{label!r} is not a {frequency.value} period (e.g. {_EXAMPLES[frequency]})")
    year = int(match.group(1))
    if frequency is Frequency.YEARLY:
        return _period(year, 1, 12, label)
    index = int(match.group(2))
    return _period(year, (index - 1) * frequency.months + 1, frequency.months, label)


def period_containing(frequency: Frequency, day: date) -> Period:
    index = (day.month - 1) // frequency.months
    labels = {
        Frequency.MONTHLY: f"{day.year}-{index + 1:02d}",
        Frequency.QUARTERLY: f"{day.year}-Q{index + 1}",
        Frequency.HALF_YEARLY: f"{day.year}-H{index + 1}",
        Frequency.YEARLY: f"{day.year}",
    }
    return period_of(frequency, labels[frequency])


def periods_between(frequency: Frequency, first: date, last: date) -> list[Period]:
    """Every period from the one containing `first` to the one containing `last`."""
    periods: list[Period] = []
    current = period_containing(frequency, first)
    while current.start <= last:
        periods.append(current)
        current = period_containing(frequency, current.end + timedelta(days=1))
    return periods
