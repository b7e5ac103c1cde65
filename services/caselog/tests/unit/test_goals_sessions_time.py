"""Goals with reviews, team sessions with attendance, and the mentor's time split against the norm."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from caselog_builders import (
    AINO_WRITES,
    COORDINATOR,
    JUHO_WRITES,
    OTHER_COORDINATOR,
    TEAM_A,
    TEAMS,
    VILLE_WRITES,
    child,
)
from pydantic import ValidationError
from rinnalla_caselog.domain import goal as g
from rinnalla_caselog.domain import session as s
from rinnalla_caselog.domain import worktime as w
from rinnalla_caselog.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_caselog.domain.values import WorkArea

NOW = datetime(2027, 3, 1, 10, tzinfo=UTC)
TEAM = TEAMS[TEAM_A]


def set_goal(**overrides: Any) -> g.SetGoal:
    values: dict[str, Any] = {"goal_id": "goal-1", "child_id": "child-092-0001", "area": "school_attendance",
                              "set_on": date(2026, 9, 1), "target_on": date(2026, 12, 18), "at": NOW}
    values.update(overrides)
    return g.SetGoal.model_validate(values)


def review(**overrides: Any) -> g.ReviewGoal:
    values: dict[str, Any] = {"goal_id": "goal-1", "reviewed_on": date(2026, 10, 15), "rating": 3, "at": NOW}
    values.update(overrides)
    return g.ReviewGoal.model_validate(values)


def goal_state(*events: Any) -> g.GoalState:
    state = g.initial()
    for event in events:
        state = g.evolve(state, event)
    return state


def test_a_goal_in_an_outcome_area_or_specific_to_the_child() -> None:
    [event] = g.decide_set(g.initial(), set_goal(), AINO_WRITES, TEAM)
    assert isinstance(event, g.GoalSet) and event.team_id == TEAM_A
    with pytest.raises(InvalidValue) as words:
        g.decide_set(g.initial(), set_goal(area=None), AINO_WRITES, TEAM)
    assert words.value.field == "wording"
    assert g.decide_set(g.initial(), set_goal(area=None, wording="Learns to ride a bike"), AINO_WRITES, TEAM)


def test_a_goal_s_dates() -> None:
    with pytest.raises(InvalidValue) as target:
        g.decide_set(g.initial(), set_goal(target_on=date(2026, 9, 1)), AINO_WRITES, TEAM)
    assert target.value.field == "target_on"
    with pytest.raises(InvalidValue, match="in the future"):
        g.decide_set(g.initial(), set_goal(set_on=date(2027, 3, 2), target_on=date(2027, 6, 1)), AINO_WRITES, TEAM)


def test_reviews_rate_1_to_5_in_order_and_end_with_the_status() -> None:
    [goal_set] = g.decide_set(g.initial(), set_goal(), AINO_WRITES, TEAM)
    state = goal_state(goal_set)
    with pytest.raises(ValidationError):
        review(rating=6)
    with pytest.raises(ValidationError):
        review(rating=0)
    [first] = g.decide_review(state, review(), VILLE_WRITES, TEAM)
    assert isinstance(first, g.GoalReviewed) and first.child_id == "child-092-0001"
    state = goal_state(goal_set, first)
    with pytest.raises(InvalidValue, match="last reviewed on 2026-10-15"):
        g.decide_review(state, review(reviewed_on=date(2026, 10, 1)), VILLE_WRITES, TEAM)
    with pytest.raises(InvalidValue, match="set on 2026-09-01"):
        g.decide_review(goal_state(goal_set), review(reviewed_on=date(2026, 8, 1)), VILLE_WRITES, TEAM)
    [done] = g.decide_review(state, review(reviewed_on=date(2026, 12, 1), rating=5, status="achieved"),
                             VILLE_WRITES, TEAM)
    with pytest.raises(InvalidTransition, match="achieved"):
        g.decide_review(goal_state(goal_set, first, done), review(reviewed_on=date(2027, 1, 5)), VILLE_WRITES, TEAM)


def test_a_goal_is_set_once_and_reviewed_only_once_set() -> None:
    [goal_set] = g.decide_set(g.initial(), set_goal(), AINO_WRITES, TEAM)
    with pytest.raises(AlreadyExists):
        g.decide_set(goal_state(goal_set), set_goal(), AINO_WRITES, TEAM)
    with pytest.raises(NotFound):
        g.decide_review(g.initial(), review(), AINO_WRITES, TEAM)


def hold(**overrides: Any) -> s.HoldSession:
    values: dict[str, Any] = {
        "session_id": "session-1", "team_id": TEAM_A, "on": date(2026, 10, 6), "kind": "practice", "minutes": 90,
        "attendance": ({"child_id": "child-092-0001", "present": True},
                       {"child_id": "child-092-0002", "present": False, "absence_reason": "ill"}),
        "at": NOW,
    }
    values.update(overrides)
    return s.HoldSession.model_validate(values)


def test_a_session_records_attendance_with_the_absence_reason_encrypted_as_the_child_s() -> None:
    [event] = s.decide(s.initial(), hold(), AINO_WRITES, TEAM)
    assert isinstance(event, s.SessionHeld)
    assert [(a.child_id, a.present, a.absence_reason) for a in event.attendance] == [
        ("child-092-0001", True, ""), ("child-092-0002", False, "ill")]
    from rinnalla_events import personal_fields

    assert personal_fields(s.AttendanceEntry)["absence_reason"].subject_field == "child_id"


@pytest.mark.parametrize(
    ("attendance", "field"),
    [
        (({"child_id": "c1", "present": False},), "attendance[0].absence_reason"),
        (({"child_id": "c1", "present": True, "absence_reason": "ill"},), "attendance[0].absence_reason"),
        (({"child_id": "c1", "present": True}, {"child_id": "c1", "present": True}), "attendance[1].child_id"),
    ],
)
def test_attendance_rules(attendance: tuple[dict[str, Any], ...], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        s.check_content(hold(attendance=attendance), date(2027, 3, 1))
    assert refused.value.field == field


def test_a_session_s_length_and_date() -> None:
    with pytest.raises(InvalidValue) as minutes:
        s.check_content(hold(minutes=0), date(2027, 3, 1))
    assert minutes.value.field == "minutes"
    with pytest.raises(InvalidValue, match="in the future"):
        s.check_content(hold(on=date(2027, 3, 2)), date(2027, 3, 1))


def test_only_children_of_the_team_on_that_day_are_listed() -> None:
    children = {"child-092-0001": child(), "child-092-0002": child("child-092-0002", team="team-092-b")}
    with pytest.raises(NotFound) as refused:
        s.check_team_children(hold(), children)
    assert refused.value.field == "attendance[1].child_id"


def test_who_may_hold_a_session() -> None:
    assert s.may_hold(AINO_WRITES, TEAM, date(2026, 10, 6)) == TEAM
    assert s.may_hold(COORDINATOR, TEAM, date(2026, 10, 6)) == TEAM
    with pytest.raises(RuleViolated):
        s.may_hold(AINO_WRITES, TEAM, date(2027, 1, 1))  # after her handover
    for outsider in (JUHO_WRITES, OTHER_COORDINATOR):
        with pytest.raises(NotFound):
            s.may_hold(outsider, TEAM, date(2026, 10, 6))
    with pytest.raises(NotFound):
        s.may_hold(AINO_WRITES, None, date(2026, 10, 6))


def test_a_correction_stays_in_the_session_s_team() -> None:
    [held] = s.decide(s.initial(), hold(), AINO_WRITES, TEAM)
    state = s.evolve(s.initial(), held)
    with pytest.raises(AlreadyExists):
        s.decide(state, hold(), AINO_WRITES, TEAM)
    correction = s.CorrectSession.model_validate({**hold().model_dump(), "reason": "shorter"})
    [event] = s.decide(state, correction, COORDINATOR, TEAM)
    assert isinstance(event, s.SessionCorrected)
    with pytest.raises(NotFound):
        s.decide(state, correction, COORDINATOR, TEAMS["team-092-b"])


def test_the_time_split_against_the_one_third_norm() -> None:
    even = w.time_split({WorkArea.SCHOOL: 600, WorkArea.TEAM: 600, WorkArea.INDIVIDUAL_AND_FAMILY: 600,
                         WorkArea.ADMINISTRATION: 300})
    assert even.within_norm is True and even.shares[WorkArea.SCHOOL] == pytest.approx(0.333)
    lopsided = w.time_split({WorkArea.SCHOOL: 100, WorkArea.TEAM: 800, WorkArea.INDIVIDUAL_AND_FAMILY: 300})
    assert lopsided.within_norm is False
    assert lopsided.off_norm == (WorkArea.SCHOOL, WorkArea.TEAM)
    # administration is not direct work: it does not move the shares
    assert w.time_split({WorkArea.ADMINISTRATION: 500}).within_norm is None
    # just under ten points away from a third is still within the norm
    edge = w.time_split({WorkArea.SCHOOL: 433, WorkArea.TEAM: 333, WorkArea.INDIVIDUAL_AND_FAMILY: 234})
    assert edge.within_norm is True


def test_reporting_administration_time() -> None:
    command = w.ReportTime(week="2027-W08", administration_minutes=240, at=NOW)
    [event] = w.decide(w.initial(), command, "mentor-aino")
    assert isinstance(event, w.TimeReported)
    assert w.decide(w.evolve(w.initial(), event), command, "mentor-aino") == []
    with pytest.raises(InvalidValue, match="has not begun"):
        w.decide(w.initial(), w.ReportTime(week="2027-W10", administration_minutes=1, at=NOW), "mentor-aino")
    with pytest.raises(ValidationError):
        w.ReportTime(week="2027-W54", administration_minutes=1, at=NOW)
    assert w.iso_week(date(2027, 1, 1)) == "2026-W53" and w.week_start("2026-W53") == date(2026, 12, 28)
