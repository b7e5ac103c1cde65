"""Integer cents, rounding half up once, proration by day, and splits that always sum to the whole."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rinnalla_billing.domain.errors import InvalidValue, RuleViolated
from rinnalla_billing.domain.money import euros, prorate, round_cents, split


def test_rounding_is_half_up_and_mirrored_for_credits() -> None:
    assert round_cents(Fraction(249, 2)) == 125  # 124.5 -> 125
    assert round_cents(Fraction(2491, 20)) == 125  # 124.55 -> 125
    assert round_cents(Fraction(2489, 20)) == 124  # 124.45 -> 124
    assert round_cents(Fraction(-249, 2)) == -125
    assert round_cents(Fraction(10)) == 10


def test_a_full_period_is_the_whole_amount_and_a_part_is_prorated_by_day() -> None:
    assert prorate(3_000_000, 181, 181) == 3_000_000
    # 30,000.00 EUR for the 90 of the 181 days of the first half of 2026: 14,917.127... -> 14,917.13
    assert prorate(3_000_000, 90, 181) == 1_491_713
    assert prorate(3_000_000, 0, 181) == 0
    with pytest.raises(ValueError, match="do not fit"):
        prorate(100, 182, 181)


def test_a_split_fifty_fifty_halves_the_amount() -> None:
    assert split(3_000_000, [5_000, 5_000]) == [1_500_000, 1_500_000]


def test_the_largest_remainders_take_the_cents_left_over() -> None:
    # 100 cents in thirds: 33.33 + 33.33 + 33.34 (ties go to the earlier payer)
    assert split(100, [3_334, 3_333, 3_333]) == [34, 33, 33]
    assert split(1, [5_000, 5_000]) == [1, 0]
    assert split(101, [2_500, 7_500]) == [25, 76]  # 25.25 / 75.75: the larger remainder takes the cent


def test_a_credit_mirrors_the_charge() -> None:
    assert split(-101, [2_500, 7_500]) == [-25, -76]


@given(
    st.integers(min_value=-10**9, max_value=10**9),
    st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6),
)
def test_the_parts_always_sum_to_the_whole(total: int, weights: list[int]) -> None:
    scaled = [w * 10_000 // sum(weights) for w in weights]
    scaled[0] += 10_000 - sum(scaled)
    if any(share <= 0 for share in scaled):
        return
    parts = split(total, scaled)
    assert sum(parts) == total
    for part, share in zip(parts, scaled, strict=True):
        assert abs(part - Fraction(total * share, 10_000)) < 1


def test_shares_must_sum_to_exactly_one_hundred_percent() -> None:
    with pytest.raises(RuleViolated, match=r"99\.99 %"):
        split(100, [5_000, 4_999])
    with pytest.raises(InvalidValue, match="between 1 and 10000"):
        split(100, [0, 10_000])


def test_euros_are_written_with_two_decimals() -> None:
    assert euros(1_500_000) == "15000.00"
    assert euros(5) == "0.05"
    assert euros(-1_491_713) == "-14917.13"
