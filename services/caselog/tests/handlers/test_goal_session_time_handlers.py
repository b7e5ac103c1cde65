"""Goals, sessions and time reports through the handlers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from caselog_builders import AINO_WRITES, HANDOVER, JUHO_WRITES, NOW, VILLE_WRITES
from caselog_desk import Desk
from rinnalla_caselog.application import handlers as h
from rinnalla_caselog.domain import goal as g
from rinnalla_caselog.domain import session as s
from rinnalla_caselog.domain import worktime as w
from rinnalla_caselog.domain.errors import NotFound, RuleViolated


def set_goal(**overrides: Any) -> g.SetGoal:
    values: dict[str, Any] = {"goal_id": "goal-1", "child_id": "child-092-0001", "area": None,
                              "wording": "Joins a game with children of another class", "set_on": date(2026, 9, 1),
                              "target_on": date(2027, 5, 31), "at": NOW}
    values.update(overrides)
    return g.SetGoal.model_validate(values)


async def test_the_incoming_mentor_reviews_the_predecessor_s_goal_the_outgoing_one_no_longer_does(desk: Desk) -> None:
    await desk.send(h.set_goal, AINO_WRITES, set_goal())
    late = g.ReviewGoal(goal_id="goal-1", reviewed_on=date(2027, 2, 1), rating=2, at=NOW)
    with pytest.raises(RuleViolated, match="handed team"):
        await desk.send(h.review_goal, AINO_WRITES, late)
    outcome = await desk.send(h.review_goal, VILLE_WRITES, late)
    assert outcome.result["subjects"] == ["child-092-0001"]
    events = [r.event for r in await desk.recorded()]
    assert [type(e).__name__ for e in events] == ["GoalSet", "GoalReviewed"]
    [first, second] = await desk.payloads()
    assert first["wording"]["$pii"] == "child-092-0001" and second["note"]["$pii"] == "child-092-0001"


async def test_a_review_of_an_unknown_goal_or_by_another_team_is_not_found(desk: Desk) -> None:
    review = g.ReviewGoal(goal_id="goal-x", reviewed_on=date(2026, 10, 1), rating=2, at=NOW)
    with pytest.raises(NotFound):
        await desk.send(h.review_goal, AINO_WRITES, review)
    await desk.send(h.set_goal, AINO_WRITES, set_goal())
    with pytest.raises(NotFound):
        await desk.send(h.review_goal, JUHO_WRITES, review.model_copy(update={"goal_id": "goal-1"}))


def hold(**overrides: Any) -> s.HoldSession:
    values: dict[str, Any] = {
        "session_id": "session-1", "team_id": "team-092-a", "on": date(2026, 10, 6), "kind": "camp",
        "minutes": 900, "attendance": ({"child_id": "child-092-0001", "present": True},
                                       {"child_id": "child-092-0002", "present": False,
                                        "absence_reason": "family_reason"}),
        "at": NOW,
    }
    values.update(overrides)
    return s.HoldSession.model_validate(values)


async def test_a_session_with_the_team_s_children(desk: Desk) -> None:
    await desk.send(h.hold_session, AINO_WRITES, hold())
    [payload] = await desk.payloads()
    assert payload["attendance"][1]["absence_reason"]["$pii"] == "child-092-0002"
    assert await desk.tenants() == ["092"]


async def test_a_session_naming_another_team_s_child_or_by_another_mentor_is_refused(desk: Desk) -> None:
    other = ({"child_id": "child-092-0004", "present": True},)
    with pytest.raises(NotFound) as refused:
        await desk.send(h.hold_session, AINO_WRITES, hold(attendance=other))
    assert refused.value.field == "attendance[0].child_id"
    with pytest.raises(NotFound):
        await desk.send(h.hold_session, JUHO_WRITES, hold())
    with pytest.raises(RuleViolated):
        await desk.send(h.hold_session, AINO_WRITES, hold(on=HANDOVER))
    assert await desk.recorded() == []


async def test_a_time_report_is_the_caller_s_own_and_the_latest_counts(desk: Desk) -> None:
    await desk.send(h.report_time, AINO_WRITES, w.ReportTime(week="2026-W40", administration_minutes=200, at=NOW))
    same = await desk.send(h.report_time, AINO_WRITES, w.ReportTime(week="2026-W40", administration_minutes=200,
                                                                     at=NOW))
    assert same.changed is False
    await desk.send(h.report_time, AINO_WRITES, w.ReportTime(week="2026-W40", administration_minutes=260, at=NOW))
    events = [r.event for r in await desk.recorded()]
    assert [(e.mentor_id, e.administration_minutes) for e in events] == [  # type: ignore[attr-defined]
        ("mentor-aino", 200), ("mentor-aino", 260)]


async def test_a_notification_marker_is_recorded_in_the_child_s_team_by_its_mentor(desk: Desk) -> None:
    from rinnalla_caselog.domain import notification as n

    marker = n.RecordNotificationFiled(marker_id="m-1", child_id="child-092-0001", filed_on=date(2027, 2, 1),
                                       filer_role=n.FilerRole.MENTOR, channel=n.Channel.SECURE_FORM,
                                       family_informed=False, at=NOW)
    with pytest.raises(NotFound):
        await desk.send(h.record_notification_filed, JUHO_WRITES, marker)
    with pytest.raises(RuleViolated, match="handed team"):
        await desk.send(h.record_notification_filed, AINO_WRITES, marker)
    await desk.send(h.record_notification_filed, VILLE_WRITES, marker)
    [event] = [r.event for r in await desk.recorded()]
    assert isinstance(event, n.ChildWelfareNotificationFiled) and event.county_code == "04"
