"""How many children a team aims for, by the team's year: teams grow into their full size.

A team's first year (the preschool year while forming, and the first school year) starts smaller so
that the mentor gets to know each child; children join late up to age 12, and from the fourth school
year on the target is the programme's usual 15-25. The hard maximum stays the team's `max_size`
(25 by default); the target is a guide for the coordinator, not a refusal.
"""

from __future__ import annotations

from datetime import date

FULL_SIZE_FROM_YEAR = 4
# team year -> (fewest, most) children aimed for
_TARGETS = {1: (10, 20), 2: (12, 22), 3: (14, 24)}
FULL_TARGET = (15, 25)


def team_year(activated_on: date | None, on: date) -> int:
    """The team's year on `on`: 1 until the first anniversary of its activation (and while still forming),
    then 2, 3, ..."""
    if activated_on is None or on < activated_on:
        return 1
    years = on.year - activated_on.year - ((on.month, on.day) < (activated_on.month, activated_on.day))
    return years + 1


def target_size(year: int) -> tuple[int, int]:
    """The fewest and the most children a team aims for in its `year` (1-based)."""
    if year >= FULL_SIZE_FROM_YEAR:
        return FULL_TARGET
    return _TARGETS[max(1, year)]


def within_target(size: int, year: int) -> bool:
    fewest, most = target_size(year)
    return fewest <= size <= most
