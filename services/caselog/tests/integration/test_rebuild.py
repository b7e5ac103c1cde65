"""The case log's read models are a pure function of the logs: rebuilding them from enrollment's and the
case log's streams gives the same rows, an erased child included."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from caselog_api import TEAM_A, Api, contact

pytestmark = pytest.mark.integration

TABLES = {
    "roster": ("teams", "mentor_terms", "memberships", "children", "consent_facts"),
    "casework": ("contacts", "contact_children", "assessments", "goals", "goal_reviews", "sessions", "attendance",
                 "time_reports", "notification_markers", "erased"),
}


async def snapshot(api: Api) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    async with api.caselog.runtime.connections.acquire() as conn:
        for tables in TABLES.values():
            for table in tables:
                rows = await conn.fetch(f"SELECT * FROM caselog_read.{table}")
                found[table] = sorted((dict(r) for r in rows), key=repr)
    return found


async def test_every_read_model_equals_its_rebuild(api: Api) -> None:
    await api.enrollment_command(f"/teams/{TEAM_A}/mentor-handovers", {
        "outgoing_mentor_id": "user-mentor.vantaa", "incoming_mentor_id": "mentor-092-0003",
        "handed_over_on": "2026-11-01"})
    for n in range(1, 6):
        response = await api.post(f"/contacts/contact-{uuid.uuid4()}", contact((f"child-092-000{n}",), on="2026-10-01"))
        assert response.status_code == 200, response.text
    corrected = f"contact-{uuid.uuid4()}"
    await api.post(f"/contacts/{corrected}", contact(("child-092-0006", "child-092-0007"), on="2026-10-02"))
    await api.post(f"/contacts/{corrected}/correction", {**contact(("child-092-0006",), on="2026-10-03"),
                                                         "reason": "child 7 was not there"})
    for n in (4, 5):
        sdq = {"instrument": "sdq", "version": 1, "informant": "teacher", "wave": "baseline", "on": "2026-09-01",
               "answers": [n % 3] * 25}
        assert (await api.post(f"/children/child-092-000{n}/assessments", sdq)).status_code == 200
    for n in (4, 5):
        goal = {"child_id": f"child-092-000{n}", "area": "participation", "set_on": "2026-09-01",
                "target_on": "2027-05-31"}
        assert (await api.post(f"/goals/goal-{n}", goal)).status_code == 200
        review = {"reviewed_on": "2026-10-01", "rating": n, "note": f"review {n}"}
        assert (await api.post(f"/goals/goal-{n}/reviews", review)).status_code == 200
    session = {"team_id": TEAM_A, "on": "2026-10-06", "kind": "game", "minutes": 120, "attendance": [
        {"child_id": "child-092-0004", "present": True},
        {"child_id": "child-092-0005", "present": False, "absence_reason": "ill"}]}
    assert (await api.post("/sessions/game-1", session)).status_code == 200
    assert (await api.post("/time-reports/2026-W40", {"administration_minutes": 120})).status_code == 200
    for n in (4, 5):
        marker = {"child_id": f"child-092-000{n}", "filed_on": "2026-10-08", "filer_role": "mentor",
                  "channel": "phone", "family_informed": True}
        assert (await api.post(f"/notification-markers/marker-{n}", marker)).status_code == 200
    await api.enrollment_command("/children/child-092-0005/exit", {"exited_on": "2026-11-10", "reason": "moved_away"})
    await api.project()
    await api.enrollment_erasure("child-092-0005")
    await api.project()
    before = await snapshot(api)
    assert before["contact_children"] and not any(r["child_id"] == "child-092-0005" for r in before["children"])
    for table in ("assessments", "goals", "goal_reviews", "attendance", "notification_markers"):
        assert [r["child_id"] for r in before[table]] == ["child-092-0004"], table
    assert len(before["sessions"]) == len(before["time_reports"]) == 1
    js = api.workers.nc.jetstream()
    for name in TABLES:
        result = await api.caselog.runtime.read_models.rebuild(name, js)
        assert result.generation == 2
    assert await snapshot(api) == before
