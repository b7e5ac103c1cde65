"""Team size targets follow the team's year: smaller at first, 15-25 from the fourth year on."""

from __future__ import annotations

from datetime import date

import pytest
from rinnalla_enrollment.domain.team import DEFAULT_MAX_SIZE
from rinnalla_enrollment.domain.team_size import target_size, team_year, within_target

ACTIVATED = date(2025, 8, 11)


def test_a_forming_team_is_in_its_first_year() -> None:
    assert team_year(None, date(2025, 3, 1)) == 1


@pytest.mark.parametrize(
    ("on", "year"),
    [(date(2025, 8, 11), 1), (date(2026, 8, 10), 1), (date(2026, 8, 11), 2), (date(2028, 8, 11), 4)],
)
def test_the_teams_year_counts_from_its_activation(on: date, year: int) -> None:
    assert team_year(ACTIVATED, on) == year


def test_the_first_year_aims_for_fewer_children_than_fifteen_to_twenty_five() -> None:
    assert target_size(1) != (15, 25)
    assert target_size(1)[1] < 25


def test_from_the_fourth_year_on_a_team_aims_for_fifteen_to_twenty_five_children() -> None:
    assert target_size(4) == (15, 25)
    assert target_size(12) == (15, 25)


def test_the_target_grows_year_by_year_and_never_passes_the_hard_maximum() -> None:
    targets = [target_size(year) for year in range(1, 13)]
    assert targets == sorted(targets)
    assert all(most <= DEFAULT_MAX_SIZE for _, most in targets)


def test_twelve_children_are_within_the_target_in_year_one_but_not_in_year_four() -> None:
    assert within_target(12, 1)
    assert not within_target(12, 4)
