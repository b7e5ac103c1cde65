"""A team's cumulative cost against a savings model: by default the published estimate of at least
2.8 million euros of savings per team over its twelve years, accrued evenly by day from the team's
activation (a model, not a measurement: the SIB contracts measure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from rinnalla_billing.domain.money import round_cents

DEFAULT_SAVINGS_PER_TEAM_CENTS = 280_000_000  # 2,800,000.00 EUR
DEFAULT_HORIZON_YEARS = 12


@dataclass(frozen=True)
class SavingsModel:
    savings_per_team_cents: int = DEFAULT_SAVINGS_PER_TEAM_CENTS
    horizon_years: int = DEFAULT_HORIZON_YEARS


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def accrued_savings(model: SavingsModel, activated_on: date | None, as_of: date) -> int:
    """The model's savings accrued from activation to `as_of` (inclusive), rounded half up once."""
    if activated_on is None or as_of < activated_on:
        return 0
    end = _years_later(activated_on, model.horizon_years)
    horizon_days = (end - activated_on).days
    elapsed = min((as_of - activated_on).days + 1, horizon_days)
    return round_cents(Fraction(model.savings_per_team_cents * elapsed, horizon_days))
