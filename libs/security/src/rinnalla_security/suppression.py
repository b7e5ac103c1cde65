"""Small-cell suppression with complementary suppression, for every table of counts the services publish.

A count of 1-4 children could single a child out (the teams are 15-25 children, a cohort a few dozen), so
it is never shown (primary suppression). Hiding it is not enough when the table also shows its row and
column totals: a row with one hidden cell gives that cell away as "row total minus the rest". So further
cells are hidden (complementary suppression) until no hidden number can be worked out from what is shown.

The totals are cells too: a row total of 3 singles out as much as a cell of 3. The function works on the
table with its margins (row totals, column totals and the grand total) and protects every hidden number,
inner or total, the same way: it hides the four corners of a rectangle of the table-with-margins such that
the hidden values can move together (one up, its neighbours down) and every shown number, every row sum and
every column sum stays the same, without any count going below zero. Another table that differs in that
number is then consistent with everything shown, so the number cannot be derived. When no such rectangle
exists (a table of one cell, or one whose other counts are all zero), everything is hidden.

Counts of zero are shown: no child is singled out by a zero. Cells not in the input are zero.

    table = suppress({("team-a", "active"): 12, ("team-a", "exited"): 2, ...})
    table.cell("team-a", "exited")   # None: hidden
    table.row_total("team-a")        # an int, or None when hidden
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Generic, TypeVar

SUPPRESS_BELOW = 5
"""Counts of 1 to SUPPRESS_BELOW - 1 are never shown."""

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


class _Total:
    """The margin's position: the row totals' column, the column totals' row."""

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = _Total()

_Key = tuple[object, object]


def is_small_count(count: int, threshold: int = SUPPRESS_BELOW) -> bool:
    """A count that could single someone out: 1 to threshold - 1."""
    return 0 < count < threshold


@dataclass(frozen=True)
class SuppressedTable(Generic[R, C]):
    """A table of counts with its margins, every hidden number None."""

    rows: tuple[R, ...]
    columns: tuple[C, ...]
    _values: Mapping[_Key, int | None]

    def cell(self, row: R, column: C) -> int | None:
        return self._values[(row, column)]

    def row_total(self, row: R) -> int | None:
        return self._values[(row, TOTAL)]

    def column_total(self, column: C) -> int | None:
        return self._values[(TOTAL, column)]

    @property
    def total(self) -> int | None:
        return self._values[(TOTAL, TOTAL)]

    def hidden(self, row: R, column: C) -> bool:
        return self.cell(row, column) is None

    @property
    def any_hidden(self) -> bool:
        return any(value is None for value in self._values.values())

    def published(self) -> dict[_Key, int | None]:
        """Every number of the table with margins (keys use `TOTAL` for the margins), None where hidden."""
        return dict(self._values)


def suppress(
    counts: Mapping[tuple[R, C], int],
    *,
    rows: Iterable[R] | None = None,
    columns: Iterable[C] | None = None,
    threshold: int = SUPPRESS_BELOW,
    hide: Iterable[tuple[object, object]] = (),
    known: Iterable[tuple[object, object]] = (),
) -> SuppressedTable[R, C]:
    """Hide every count (cell or total) of 1 to threshold - 1, and enough other numbers that none of the
    hidden ones can be worked out from the shown cells and totals. `rows` and `columns` fix the order (and
    may add rows or columns of zeros); by default the order of first appearance in `counts`.

    When another table shares numbers with this one (e.g. the same row totals), keep them consistent: `hide`
    names numbers hidden there (hidden here too, and protected), `known` numbers shown there (never used to
    protect a hidden number here, since a reader knows them). Keys are `(row, column)`, with `TOTAL` for a
    margin."""
    row_keys = tuple(dict.fromkeys([*(rows or ()), *(r for r, _ in counts)]))
    column_keys = tuple(dict.fromkeys([*(columns or ()), *(c for _, c in counts)]))
    for key, count in counts.items():
        if count < 0:
            raise ValueError(f"a count cannot be negative: {key!r} = {count}")
    values = _with_margins(counts, row_keys, column_keys)
    forced = {key for key in hide if key in values}
    hidden = {key for key, value in values.items() if is_small_count(value, threshold)} | forced
    fixed = {key for key in known if key in values} - hidden
    hidden = _protect(values, hidden, [*row_keys, TOTAL], [*column_keys, TOTAL], fixed)
    shown: dict[_Key, int | None] = {key: (None if key in hidden else value) for key, value in values.items()}
    return SuppressedTable(row_keys, column_keys, shown)


def suppress_counts(
    counts: Mapping[R, int], *, keys: Iterable[R] | None = None, threshold: int = SUPPRESS_BELOW
) -> tuple[dict[R, int | None], int | None]:
    """A one-way table (a list of counts and their total): the counts and the total, hidden ones None."""
    table = suppress({(key, "count"): count for key, count in counts.items()}, rows=keys, columns=["count"],
                     threshold=threshold)
    return {row: table.cell(row, "count") for row in table.rows}, table.total


def _with_margins(
    counts: Mapping[tuple[R, C], int], rows: tuple[R, ...], columns: tuple[C, ...]
) -> dict[_Key, int]:
    values: dict[_Key, int] = {}
    for row, column in product(rows, columns):
        values[(row, column)] = counts.get((row, column), 0)
    for row in rows:
        values[(row, TOTAL)] = sum(values[(row, column)] for column in columns)
    for column in columns:
        values[(TOTAL, column)] = sum(values[(row, column)] for row in rows)
    values[(TOTAL, TOTAL)] = sum(values[(row, TOTAL)] for row in rows)
    return values


def _sign(key: _Key) -> int:
    """In the table with margins, a cell minus its row's total sums to zero along every line; a margin
    (but not the grand total) enters with the opposite sign."""
    margins = (key[0] is TOTAL) + (key[1] is TOTAL)
    return -1 if margins == 1 else 1


def _movable(values: Mapping[_Key, int], corners: tuple[_Key, _Key, _Key, _Key]) -> bool:
    """Whether the rectangle's numbers can all change while every line sum stays: the diagonal corners by
    +t (times their sign), the others by -t, for t = 1 or t = -1, no count going below zero."""
    a, b, c, d = corners  # a=(r1,c1), b=(r1,c2), c=(r2,c1), d=(r2,c2)
    for t in (1, -1):
        deltas = ((a, t), (d, t), (b, -t), (c, -t))
        if all(values[key] + _sign(key) * delta >= 0 for key, delta in deltas):
            return True
    return False


def _protect(
    values: Mapping[_Key, int], hidden: set[_Key], rows: list[object], columns: list[object], fixed: set[_Key]
) -> set[_Key]:
    hidden = set(hidden)
    protected: set[_Key] = set()
    while unprotected := sorted(hidden - protected, key=lambda key: (values[key], repr(key))):
        key = unprotected[0]
        best = _best_rectangle(values, hidden, key, rows, columns, fixed)
        if best is None:
            return set(values)  # nothing can protect it: withhold the whole table
        hidden.update(best)
        protected.update(best)
    return hidden


def _best_rectangle(
    values: Mapping[_Key, int], hidden: set[_Key], key: _Key, rows: list[object], columns: list[object],
    fixed: set[_Key],
) -> tuple[_Key, _Key, _Key, _Key] | None:
    """The rectangle through `key` that hides the fewest new numbers (then the smallest counts)."""
    r1, c1 = key
    best: tuple[tuple[int, int], tuple[_Key, _Key, _Key, _Key]] | None = None
    for r2 in rows:
        if r2 == r1:
            continue
        for c2 in columns:
            if c2 == c1:
                continue
            corners = (key, (r1, c2), (r2, c1), (r2, c2))
            if any(corner in fixed for corner in corners) or not _movable(values, corners):
                continue
            new = [corner for corner in corners if corner not in hidden]
            cost = (len(new), sum(values[corner] for corner in new))
            if best is None or cost < best[0]:
                best = (cost, corners)
    return best[1] if best is not None else None
