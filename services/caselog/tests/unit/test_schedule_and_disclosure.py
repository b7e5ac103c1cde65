"""What is due for a child, and the suppression of small cells in funders' aggregates."""

from __future__ import annotations

from datetime import date

from rinnalla_caselog.domain.disclosure import suppressed_cells, total_is_safe
from rinnalla_caselog.domain.schedule import review_due, trend, waves_due

ENROLLED = date(2025, 8, 20)


def keys(due: list) -> list[tuple[str, str, str, bool]]:  # type: ignore[type-arg]
    return [(d.instrument, d.informant, d.wave, d.overdue) for d in due]


def test_the_baseline_is_due_at_enrolment_and_overdue_after_three_months() -> None:
    assert keys(waves_due(ENROLLED, date(2025, 9, 1), set())) == [
        ("sdq", "parent", "baseline", False), ("sdq", "teacher", "baseline", False)]
    later = waves_due(ENROLLED, date(2025, 12, 1), {("sdq", "parent", "baseline")})
    assert keys(later) == [("sdq", "teacher", "baseline", True)]


def test_the_follow_ups_and_annual_surveys() -> None:
    recorded = {("sdq", "parent", "baseline"), ("sdq", "teacher", "baseline")}
    due = keys(waves_due(ENROLLED, date(2026, 9, 1), recorded, born_on=date(2019, 5, 3)))
    assert ("sdq", "parent", "plus_1y", False) in due and ("sdq", "teacher", "plus_1y", False) in due
    assert ("feedback_guardian", "parent", "annual-2026", False) in due
    assert ("feedback_child", "self", "annual-2026", False) in due
    assert not any(wave == "plus_4y" for _, _, wave, _ in due)
    young = keys(waves_due(ENROLLED, date(2026, 2, 1), recorded, born_on=date(2020, 5, 3)))
    assert ("feedback_child", "self", "annual-2026", False) not in young


def test_a_goal_review_is_due_after_90_days_or_near_its_target() -> None:
    assert not review_due(date(2026, 9, 1), None, date(2027, 5, 31), date(2026, 11, 29))
    assert review_due(date(2026, 9, 1), None, date(2027, 5, 31), date(2026, 11, 30))
    assert not review_due(date(2026, 9, 1), date(2026, 11, 1), date(2027, 5, 31), date(2026, 12, 1))
    assert review_due(date(2026, 9, 1), date(2026, 11, 1), date(2026, 12, 10), date(2026, 11, 26))


def test_the_attendance_trend() -> None:
    assert trend((9, 10), (6, 10)) == "up"
    assert trend((5, 10), (8, 10)) == "down"
    assert trend((8, 10), (8, 10)) == "steady"
    assert trend((0, 0), (8, 10)) is None


def test_small_cells_are_hidden_with_a_complement() -> None:
    assert suppressed_cells({"a": 12, "b": 3, "c": 7, "d": 9}) == {"b", "c"}
    assert suppressed_cells({"a": 12, "b": 3, "c": 2}) == {"b", "c"}
    assert suppressed_cells({"a": 12, "b": 0, "c": 7}) == set()
    assert suppressed_cells({"a": 5, "b": 6}) == set()
    assert suppressed_cells({"a": 4}) == {"a"}
    assert total_is_safe({"a": 4}) is False and total_is_safe({"a": 4, "b": 5}) is True


def test_funders_team_rows_hide_small_teams_and_small_surveys() -> None:
    from rinnalla_caselog.adapters.views_http import outcome_rows

    def row(team: str, children: int, respondents: int) -> dict[str, object]:
        return {"team_id": team, "name": team, "children": children, "present": 8, "expected": 10,
                "child_contacts": children * 12, "child_feedback_mean": 4.25, "child_feedback_respondents": respondents,
                "guardian_feedback_mean": None, "guardian_feedback_respondents": 0}

    rows = outcome_rows([row("a", 3, 3), row("b", 10, 7), row("c", 20, 4)], date(2026, 1, 1), date(2026, 12, 31))
    shown = {r.team_id: r for r in rows}
    assert shown["a"].suppressed and shown["b"].suppressed  # b is the complement: the smallest other team
    assert not shown["c"].suppressed and shown["c"].children == 20 and shown["c"].attendance_rate == 0.8
    assert shown["c"].contacts_per_child_per_month == 1.0
    assert shown["c"].child_feedback_mean is None  # 4 respondents
