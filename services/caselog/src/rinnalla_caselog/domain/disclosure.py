"""Statistical disclosure control for aggregates shown to funders: small cells are suppressed, and enough
other cells with them that no suppressed value can be worked out from a published total.

Primary suppression hides every count from 1 to `below - 1` (a zero reveals nothing about a person).
Complementary suppression: a group (the teams of one municipality) whose total is published must not have
exactly one hidden cell, or the total minus the others gives it away; the smallest other non-zero cell is
hidden too. Values derived from a cell (a rate, a mean) are hidden with their cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

Key = TypeVar("Key")

SUPPRESS_BELOW = 5


def suppressed_cells(counts: Mapping[Key, int], *, below: int = SUPPRESS_BELOW) -> set[Key]:
    """The keys whose values must not be shown, when the group's total is shown."""
    hidden = {key for key, count in counts.items() if 0 < count < below}
    if len(hidden) == 1:
        others = sorted(
            ((count, repr(key), key) for key, count in counts.items() if key not in hidden and count > 0),
            key=lambda item: (item[0], item[1]),
        )
        if others:
            hidden.add(others[0][2])
        # with no other non-zero cell the total equals the hidden cell: the caller hides the total
    return hidden


def total_is_safe(counts: Mapping[Key, int], *, below: int = SUPPRESS_BELOW) -> bool:
    """A group total may be shown unless it is itself small."""
    total = sum(counts.values())
    return total == 0 or total >= below
