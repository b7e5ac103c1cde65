"""The stakeholder views over HTTP: my team today, the coordinator's overview, the funders' aggregates."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from caselog_api import TEAM_A, TEAM_B, TODAY, Api, contact

pytestmark = pytest.mark.integration

DAY = TODAY.date().isoformat()  # 2026-12-01


async def test_my_team_today(api: Api) -> None:
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-11-26"))
    session = {"team_id": TEAM_A, "on": DAY, "kind": "practice", "minutes": 90, "attendance": [
        {"child_id": "child-092-0001", "present": True},
        {"child_id": "child-092-0002", "present": False, "absence_reason": "ill"}]}
    assert (await api.post("/sessions/today-1", session)).status_code == 200
    goal = {"child_id": "child-092-0001", "area": "social_skills", "set_on": "2026-08-20", "target_on": "2027-05-31"}
    assert (await api.post("/goals/goal-1", goal)).status_code == 200
    sdq = {"instrument": "sdq", "version": 1, "informant": "parent", "wave": "baseline", "on": "2025-09-01",
           "answers": [1] * 25}
    assert (await api.post("/children/child-092-0001/assessments", sdq)).status_code == 200
    marker = {"child_id": "child-092-0001", "filed_on": "2026-11-20", "filer_role": "mentor", "channel": "phone",
              "family_informed": True}
    assert (await api.post("/notification-markers/m-1", marker)).status_code == 200
    await api.project()
    response = await api.get("/mentor/today")
    assert response.status_code == 200, response.text
    body = response.json()
    [team] = body["teams"]
    assert team["team_id"] == TEAM_A and len(team["children"]) == 10
    assert team["sessions_today"] == [{"session_id": "today-1", "kind": "practice", "minutes": 90, "present": 1,
                                       "expected": 2}]
    first = next(c for c in team["children"] if c["child_id"] == "child-092-0001")
    assert (first["last_contact"], first["days_since_contact"]) == ("2026-11-26", 5)
    assert first["attendance_last_4_weeks"] == "1/1"
    assert (first["open_goals"], first["reviews_due"]) == (1, ["goal-1"])
    due = {(w["instrument"], w["informant"], w["wave"]) for w in first["waves_due"]}
    assert ("sdq", "teacher", "baseline") in due and ("sdq", "parent", "baseline") not in due
    assert ("sdq", "parent", "plus_1y") in due
    # the demo guardians gave the participation consent when the demo data was loaded (on the real clock,
    # after this test's fixed "today"): in force from then on
    assert first["consents_in_force"] == []
    assert [m["marker_id"] for m in body["own_notification_markers"]] == ["m-1"]
    other = await api.get("/mentor/today", claims={"sub": "mentor-092-0002"})
    assert [t["team_id"] for t in other.json()["teams"]] == [TEAM_B]
    assert (await api.get("/mentor/today", user="coordinator.vantaa")).status_code == 403
    api.caselog.clock = lambda: datetime.now(UTC)
    later = (await api.get("/mentor/today")).json()["teams"][0]["children"]
    # every demo child's participation consent is in force (some demo guardians also consented to sharing)
    assert all("participation" in c["consents_in_force"] for c in later)


async def test_the_coordinator_s_overview_of_a_team(api: Api) -> None:
    await api.post(f"/contacts/{uuid.uuid4()}", contact(("child-092-0001", "child-092-0002"), on="2026-11-20",
                                                          setting="class_or_lesson", minutes=60))
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-09-10", minutes=60))
    await api.project()
    response = await api.get(f"/teams/{TEAM_A}/caselog-overview?no_contact_days=30&weeks=26",
                             user="coordinator.vantaa")
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {c["child_id"]: c for c in body["children"]}
    assert (rows["child-092-0001"]["last_30_days"], rows["child-092-0001"]["last_90_days"]) == (1, 2)
    assert rows["child-092-0003"]["no_contact_in_period"] is True
    assert body["without_contact"] == 8
    [split] = body["time_split"]
    assert split["mentor_id"] == "user-mentor.vantaa"
    assert split["minutes"]["school"] == 60 and split["minutes"]["individual_and_family"] == 60
    assert split["within_norm"] is False
    assert (await api.get(f"/teams/{TEAM_A}/caselog-overview")).status_code == 403  # a mentor
    outsider = await api.get(f"/teams/{TEAM_A}/caselog-overview", user="coordinator.vantaa",
                             claims={"tenants": ["109"]})
    assert outsider.status_code == 404


async def test_the_municipality_sees_team_figures_with_small_teams_suppressed(api: Api) -> None:
    for n in range(1, 6):
        survey = {"instrument": "feedback_guardian", "version": 1, "informant": "parent", "wave": "annual",
                  "wave_year": 2026, "on": "2026-05-01", "answers": [n % 5 + 1] * 10}
        assert (await api.post(f"/children/child-092-000{n}/assessments", survey)).status_code == 200
    survey_b = {"instrument": "feedback_guardian", "version": 1, "informant": "parent", "wave": "annual",
                "wave_year": 2026, "on": "2026-05-01", "answers": [5] * 10}
    assert (await api.post("/children/child-092-0011/assessments", survey_b,
                           claims={"sub": "mentor-092-0002"})).status_code == 200
    await api.project()
    response = await api.get("/municipalities/092/team-outcomes?first=2026-01-01&last=2026-12-31",
                             user="official.vantaa")
    assert response.status_code == 200, response.text
    teams = {t["team_id"]: t for t in response.json()["teams"]}
    # team B has 2 children: hidden, and team A with it (else the municipality's total would give B away)
    assert teams[TEAM_B]["suppressed"] is True and teams[TEAM_B]["children"] is None
    assert teams[TEAM_A]["suppressed"] is True
    other = await api.get("/municipalities/109/team-outcomes?first=2026-01-01&last=2026-12-31",
                          user="official.vantaa")
    assert other.status_code == 404


async def test_the_grafana_role_reads_the_suppressed_view_but_no_child_level_table(api: Api) -> None:
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-11-20"))
    await api.project()
    async with api.caselog.runtime.connections.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE grafana_reader")
        rows = {r["team_id"]: dict(r) for r in await conn.fetch("SELECT * FROM caselog_read.v_team_outcomes")}
        # team B (2 children) is hidden, and team A with it: the only other team of the municipality
        assert rows[TEAM_B]["suppressed"] and rows[TEAM_B]["children"] is None
        assert rows[TEAM_A]["suppressed"] and rows[TEAM_A]["contacts_per_child_per_month"] is None
        for table in ("contact_children", "contacts", "assessments", "children", "notification_markers"):
            allowed = await conn.fetchval(
                "SELECT has_table_privilege('grafana_reader', $1, 'SELECT')", f"caselog_read.{table}"
            )
            assert allowed is False, table


DASHBOARD = Path(__file__).resolve().parents[4] / "deploy/grafana/dashboards/municipality-and-county/caselog.json"
PANELS = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]


async def test_every_dashboard_panel_runs_as_the_grafana_role(api: Api) -> None:
    panels = PANELS
    assert panels
    async with api.caselog.runtime.connections.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE grafana_reader")
        for panel in panels:
            for target in panel["targets"]:
                rows = await conn.fetch(target["rawSql"])
                assert rows is not None, panel["title"]
