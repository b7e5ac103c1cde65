"""Goals, team sessions and the mentor's time split over HTTP (real PostgreSQL and NATS)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from caselog_api import TEAM_A, TEAM_B_MENTOR, Api, contact

pytestmark = pytest.mark.integration

CHILD = "child-092-0001"
INCOMING = {"sub": "mentor-092-0003"}


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


async def test_goals_are_set_reviewed_and_seen_by_the_incoming_mentor(api: Api) -> None:
    goal = {"child_id": CHILD, "area": "social_skills", "wording": "Waits for his turn in games",
            "set_on": "2026-09-01", "target_on": "2027-05-31"}
    assert (await api.post("/goals/goal-1", goal)).status_code == 200
    first = await api.post("/goals/goal-1/reviews", {"reviewed_on": "2026-10-15", "rating": 2, "note": "a start"})
    assert first.status_code == 200, first.text
    bad = await api.post("/goals/goal-1/reviews", {"reviewed_on": "2026-10-20", "rating": 6})
    assert bad.status_code == 422 and "rating" in bad.text
    await api.enrollment_command(f"/teams/{TEAM_A}/mentor-handovers", {
        "outgoing_mentor_id": "user-mentor.vantaa", "incoming_mentor_id": "mentor-092-0003",
        "handed_over_on": "2026-11-01"})
    await api.project()
    outgoing = await api.post("/goals/goal-1/reviews", {"reviewed_on": "2026-11-20", "rating": 3})
    assert outgoing.status_code == 422
    incoming = await api.post("/goals/goal-1/reviews", {"reviewed_on": "2026-11-20", "rating": 4,
                                                        "status": "achieved"}, claims=INCOMING)
    assert incoming.status_code == 200, incoming.text
    await api.project()
    [shown] = (await api.get(f"/children/{CHILD}/contacts", claims=INCOMING)).json()["goals"]
    assert (shown["set_by"], shown["status"], shown["last_rating"]) == ("user-mentor.vantaa", "achieved", 4)
    assert [r["rating"] for r in shown["reviews"]] == [2, 4]
    done = await api.post("/goals/goal-1/reviews", {"reviewed_on": "2026-11-25", "rating": 5}, claims=INCOMING)
    assert done.status_code == 409


async def test_a_goal_for_another_team_s_child_is_404(api: Api) -> None:
    goal = {"child_id": CHILD, "area": "participation", "set_on": "2026-09-01", "target_on": "2027-05-31"}
    assert (await api.post(f"/goals/{uuid.uuid4()}", goal, claims=TEAM_B_MENTOR)).status_code == 404


async def test_a_session_with_attendance_and_absence_reasons(api: Api) -> None:
    session = {"team_id": TEAM_A, "on": "2026-10-06", "kind": "practice", "minutes": 90, "attendance": [
        {"child_id": "child-092-0001", "present": True},
        {"child_id": "child-092-0002", "present": False, "absence_reason": "ill"}]}
    held = await api.post("/sessions/session-1", session)
    assert held.status_code == 200, held.text
    outsider = await api.post("/sessions/session-2", {**session, "attendance": [
        {"child_id": "child-092-0011", "present": True}]})
    assert outsider.status_code == 404 and fields(outsider) == ["body.attendance[0].child_id"]
    no_reason = await api.post("/sessions/session-3", {**session, "attendance": [
        {"child_id": "child-092-0002", "present": False}]})
    assert no_reason.status_code == 422 and fields(no_reason) == ["body.attendance[0].absence_reason"]
    other_mentor = await api.post("/sessions/session-4", session, claims=TEAM_B_MENTOR)
    assert other_mentor.status_code == 404
    await api.project()
    async with api.caselog.runtime.connections.acquire() as conn:
        rows = await conn.fetch("SELECT child_id, present, absence_reason FROM caselog_read.attendance"
                                " WHERE session_id = 'session-1' ORDER BY child_id")
    assert [tuple(r) for r in rows] == [("child-092-0001", True, ""), ("child-092-0002", False, "ill")]


async def test_the_time_split_per_week_against_the_norm(api: Api) -> None:
    # week 41 of 2026: school 120, team 90 (a session), individual and family 90; administration 60
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-10-05", setting="class_or_lesson", minutes=120))
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-10-06", setting="phone_or_message", minutes=90))
    await api.post("/sessions/s-41", {"team_id": TEAM_A, "on": "2026-10-07", "kind": "practice", "minutes": 90,
                                      "attendance": [{"child_id": CHILD, "present": True}]})
    # week 42: all team work
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-10-12", setting="afternoon_club", minutes=200))
    assert (await api.post("/time-reports/2026-W41", {"administration_minutes": 60})).status_code == 200
    assert (await api.post("/time-reports/2027-W10", {"administration_minutes": 60})).status_code == 422
    await api.project()
    params = "?first=2026-10-01&last=2026-10-31"
    own = await api.get(f"/mentors/user-mentor.vantaa/time-split{params}")
    assert own.status_code == 200, own.text
    weeks = {w["week"]: w for w in own.json()["weeks"]}
    assert weeks["2026-W41"]["minutes"] == {"school": 120, "team": 90, "individual_and_family": 90,
                                            "administration": 60}
    assert weeks["2026-W41"]["within_norm"] is True
    assert weeks["2026-W42"]["within_norm"] is False
    assert weeks["2026-W42"]["off_norm"] == ["school", "team", "individual_and_family"]
    coordinator = await api.get(f"/mentors/user-mentor.vantaa/time-split{params}", user="coordinator.vantaa")
    assert coordinator.status_code == 200
    assert (await api.get(f"/mentors/user-mentor.vantaa/time-split{params}", claims=TEAM_B_MENTOR)).status_code == 404
    backwards = await api.get("/mentors/user-mentor.vantaa/time-split?first=2026-10-31&last=2026-10-01")
    assert backwards.status_code == 422 and fields(backwards) == ["query.last"]


async def test_the_family_sees_the_child_s_goals_and_ratings_not_the_mentor_s_notes(api: Api) -> None:
    goal = {"child_id": CHILD, "area": "school_attendance", "wording": "Gets to school on time",
            "set_on": "2026-09-01", "target_on": "2027-05-31"}
    assert (await api.post("/goals/goal-f", goal)).status_code == 200
    review = {"reviewed_on": "2026-10-15", "rating": 3, "note": "mentor's own note"}
    assert (await api.post("/goals/goal-f/reviews", review)).status_code == 200
    await api.project()
    from datetime import UTC, datetime

    api.caselog.clock = lambda: datetime.now(UTC)  # the guardians were registered on the real clock
    guardian = await api.get(f"/children/{CHILD}/family-view", user="guardian.vantaa")
    assert guardian.status_code == 200, guardian.text
    [shown] = guardian.json()["goals"]
    assert (shown["wording"], shown["ratings"]) == ("Gets to school on time", [3])
    assert "mentor's own note" not in guardian.text
    child = await api.get(f"/children/{CHILD}/family-view", user="child.vantaa")
    assert child.status_code == 200
    another_family = await api.get("/children/child-092-0005/family-view", user="guardian.vantaa")
    assert another_family.status_code == 404
    someone_else = await api.get("/children/child-092-0002/family-view", user="child.vantaa")
    assert someone_else.status_code == 404
