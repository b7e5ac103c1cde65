"""Money: integer euro cents, proration by day, and the split of an amount between payers.

Rounding is stated once and used everywhere: an exact fraction of cents is rounded half up (half away from
zero for negative amounts) to the cent, once, at the end of the computation, never on intermediate values.
A split between payers is made by the largest-remainder method, so the parts always sum to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from rinnalla_billing.domain.errors import InvalidValue, RuleViolated

WHOLE = 10_000
"""Basis points in 100 %: a payer's share is a number of basis points, the shares sum to exactly this."""

ROUNDING = "half up to the cent (half away from zero), once, on the exact result"


def round_cents(amount: Fraction) -> int:
    """An exact amount of cents rounded half up (half away from zero) to a whole cent."""
    magnitude = abs(amount)
    whole = int(magnitude)
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return whole if amount >= 0 else -whole


def prorate(amount_cents: int, days: int, period_days: int) -> int:
    """The share of `amount_cents` for `days` of a period of `period_days` days, rounded half up."""
    if period_days <= 0:
        raise ValueError("a period has at least one day")
    if not 0 <= days <= period_days:
        raise ValueError(f"{days} days do not fit a period of {period_days} days")
    return round_cents(Fraction(amount_cents * days, period_days))


def check_shares(shares: Sequence[int], field: str = "payers") -> None:
    """Refuses shares that are not each between 1 and 10000 basis points or do not sum to exactly 100 %."""
    if not shares:
        raise InvalidValue(field, "at least one payer is required")
    for index, share in enumerate(shares):
        if not 0 < share <= WHOLE:
            raise InvalidValue(f"{field}[{index}].share_basis_points", "a share is between 1 and 10000 basis points")
    total = sum(shares)
    if total != WHOLE:
        raise RuleViolated(
            field, f"the shares sum to {total / 100:.2f} %; they must sum to exactly 100 % ({WHOLE} basis points)"
        )


def split(total_cents: int, shares: Sequence[int]) -> list[int]:
    """`total_cents` split by `shares` (basis points summing to 10000) by the largest-remainder method.

    Each payer first gets the floor of its exact share; the cents left over go one each to the payers with
    the largest remainders (ties: the earlier payer). The parts sum to `total_cents` exactly. A negative
    total (a credit) is split as its magnitude and negated, so a credit mirrors the charge it corrects."""
    check_shares(shares)
    if total_cents < 0:
        return [-part for part in split(-total_cents, shares)]
    exact = [Fraction(total_cents * share, WHOLE) for share in shares]
    parts = [int(value) for value in exact]
    left = total_cents - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in order[:left]:
        parts[index] += 1
    return parts


def euros(cents: int) -> str:
    """`1500000` -> `"15000.00"`: the decimal form documents use (a point; Finvoice's comma is its own)."""
    sign = "-" if cents < 0 else ""
    magnitude = abs(cents)
    return f"{sign}{magnitude // 100}.{magnitude % 100:02d}"
