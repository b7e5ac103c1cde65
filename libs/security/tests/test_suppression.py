"""Small-cell suppression: no shown number is 1-4, and no hidden number can be worked out from the shown
cells and totals (checked by searching for another table that shows the same and differs there)."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rinnalla_security.suppression import TOTAL, SuppressedTable, is_small_count, suppress, suppress_counts


def _margins(inner: dict[tuple[int, int], int], rows: int, columns: int) -> dict[tuple[object, object], int]:
    values: dict[tuple[object, object], int] = {key: value for key, value in inner.items()}
    for r in range(rows):
        values[(r, TOTAL)] = sum(inner[(r, c)] for c in range(columns))
    for c in range(columns):
        values[(TOTAL, c)] = sum(inner[(r, c)] for r in range(rows))
    values[(TOTAL, TOTAL)] = sum(inner.values())
    return values


def derivable(table: SuppressedTable[int, int], truth: dict[tuple[int, int], int]) -> set[tuple[object, object]]:
    """The hidden numbers that every table consistent with what is shown agrees on (as far as tables that
    differ from the truth by at most one in each cell can tell: enough to find the alternatives that a
    rectangle of hidden numbers allows)."""
    rows, columns = len(table.rows), len(table.columns)
    published = table.published()
    true_values = _margins(truth, rows, columns)
    hidden = {key for key, value in published.items() if value is None}
    varying: set[tuple[object, object]] = set()
    inner_hidden = [key for key in truth if key in hidden]
    for deltas in product((-1, 0, 1), repeat=len(inner_hidden)):
        if not any(deltas):
            continue
        other = dict(truth)
        for key, delta in zip(inner_hidden, deltas, strict=True):
            other[key] += delta
        if any(value < 0 for value in other.values()):
            continue
        other_values = _margins(other, rows, columns)
        if any(value is not None and other_values[key] != value for key, value in published.items()):
            continue
        varying |= {key for key in hidden if other_values[key] != true_values[key]}
    return hidden - varying


tables = st.integers(1, 3).flatmap(
    lambda rows: st.integers(1, 3).flatmap(
        lambda columns: st.fixed_dictionaries(
            {(r, c): st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 14]) for r in range(rows) for c in range(columns)}
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_no_shown_number_singles_anyone_out(truth: dict[tuple[int, int], int]) -> None:
    table = suppress(truth)
    for value in table.published().values():
        assert value is None or not is_small_count(value)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_no_hidden_number_can_be_worked_out_from_the_totals(truth: dict[tuple[int, int], int]) -> None:
    table = suppress(truth)
    assert derivable(table, truth) == set()


@settings(max_examples=100, deadline=None)
@given(tables)
def test_shown_numbers_are_the_true_counts(truth: dict[tuple[int, int], int]) -> None:
    table = suppress(truth)
    true_values = _margins(truth, len(table.rows), len(table.columns))
    for key, value in table.published().items():
        assert value is None or value == true_values[key]


def test_one_hidden_cell_in_a_row_takes_a_second_one_with_it() -> None:
    truth = {(0, 0): 3, (0, 1): 10, (1, 0): 8, (1, 1): 12}
    table = suppress(truth)
    assert table.cell(0, 0) is None
    # Row 0's total (13) and column 0's total (11) are shown, so the 3 is protected by hiding its neighbours.
    assert table.cell(0, 1) is None and table.cell(1, 0) is None and table.cell(1, 1) is None
    assert table.row_total(0) == 13 and table.column_total(0) == 11 and table.total == 33
    assert derivable(table, truth) == set()


def test_a_table_with_nothing_small_is_shown_whole() -> None:
    table = suppress({("a", "x"): 5, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 9})
    assert not table.any_hidden
    assert table.total == 21


def test_a_lone_small_count_hides_the_whole_table() -> None:
    table = suppress({("a", "x"): 3})
    assert table.cell("a", "x") is None and table.total is None


def test_a_list_of_counts_hides_at_least_two() -> None:
    counts, total = suppress_counts({"moved": 2, "completed": 11, "placed": 7})
    assert counts["moved"] is None
    assert sum(value is None for value in counts.values()) >= 2
    assert total == 20


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress({("a", "x"): -1})


def test_the_check_catches_hiding_only_the_small_cells() -> None:
    truth = {(0, 0): 3, (0, 1): 10, (1, 0): 8, (1, 1): 12}
    naive = suppress(truth).published()
    for key in [(0, 1), (1, 0), (1, 1)]:
        naive[key] = truth[key]  # show the neighbours again: only the 3 is hidden
    table = SuppressedTable((0, 1), (0, 1), naive)
    assert derivable(table, truth) == {(0, 0)}


@settings(max_examples=150, deadline=None)
@given(tables, st.data())
def test_numbers_known_from_another_table_do_not_give_a_hidden_one_away(
    truth: dict[tuple[int, int], int], data: st.DataObject
) -> None:
    rows = sorted({r for r, _ in truth})
    true_values = _margins(truth, len(rows), len({c for _, c in truth}))
    # Another suppressed table shows a row total only if it singles no one out.
    shown_elsewhere = {
        (r, TOTAL) for r in rows if not is_small_count(true_values[(r, TOTAL)]) and data.draw(st.booleans())
    }
    table = suppress(truth, known=shown_elsewhere)
    published = table.published()
    for key in shown_elsewhere:  # a reader has them anyway
        published[key] = true_values[key]
    assert derivable(SuppressedTable(table.rows, table.columns, published), truth) == set()


def test_numbers_hidden_in_another_table_are_hidden_here_too() -> None:
    truth = {(0, 0): 12, (0, 1): 9, (1, 0): 8, (1, 1): 11}
    table = suppress(truth, hide={(0, TOTAL)})
    assert table.row_total(0) is None
    assert derivable(table, truth) == set()
