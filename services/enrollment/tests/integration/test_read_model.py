"""The read model is a pure function of the log: rebuilding it gives the same rows. Also the demo data."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_scenario import OTHER_TEAM, TEAM, enrolled_child, partnership_with_teams, selected_child
from rinnalla_enrollment.demo import load_demo
from rinnalla_enrollment.projections.tables import READ_SCHEMA, TABLES, VIEWS

pytestmark = pytest.mark.integration


async def snapshot(api) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with api.enrollment.connections.acquire() as conn:
        for name in [*TABLES, *VIEWS]:
            records = await conn.fetch(f"SELECT * FROM {READ_SCHEMA}.{name}")
            rows[name] = sorted((tuple(r.values()) for r in records), key=repr)
    return rows


async def test_the_read_model_equals_its_rebuild_from_the_log(api):
    await partnership_with_teams(api)
    for n in range(1, 4):
        await enrolled_child(api, n)
    await enrolled_child(api, 4, team=OTHER_TEAM)
    await selected_child(api, 5)
    await api.ok("/children/child-0001/transfer", {"to_team_id": OTHER_TEAM, "transferred_on": "2026-01-10"})
    await api.ok("/children/child-0002/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    await api.ok("/children/child-0003/consent-withdrawals", {"consent_id": "consent-3", "withdrawn_by": "guardian-3"})
    await api.ok(f"/teams/{TEAM}/mentor-handovers", {
        "outgoing_mentor_id": "user-mentor.vantaa", "incoming_mentor_id": "mentor-new", "handed_over_on": "2026-06-30"
    })
    await api.project()
    before = await snapshot(api)
    progress: list[tuple[int, int]] = []

    applied = await api.enrollment.projector.rebuild(lambda done, total: progress.append((done, total)))

    assert await snapshot(api) == before
    assert applied > 0 and progress[-1][0] == applied
    assert await api.enrollment.projector.lag() == 0
    assert sum(len(rows) for rows in before.values()) > 0


async def test_no_read_model_table_holds_an_identity_code(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        hetu = await conn.fetchval(f"SELECT hetu_masked FROM {READ_SCHEMA}.children")
    assert hetu is not None and len(hetu) == 11 and not hetu[7:10].isdigit()


async def test_the_grafana_role_reads_the_views_but_not_the_tables_with_names(api):
    async with api.enrollment.connections.acquire() as conn:
        can_view = await conn.fetchval(
            "SELECT has_table_privilege('grafana_reader', 'enrollment_read.v_team_overview', 'SELECT')"
        )
        can_table = await conn.fetchval(
            "SELECT has_table_privilege('grafana_reader', 'enrollment_read.children', 'SELECT')"
        )
    assert can_view is True and can_table is False


async def test_the_demo_data_loads_twice_without_changing_anything_the_second_time(api):
    await load_demo(api.enrollment)
    async with api.enrollment.connections.acquire() as conn:
        count = await conn.fetchval("SELECT count(*) FROM enrollment.events")

    await load_demo(api.enrollment)
    await api.project()

    async with api.enrollment.connections.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM enrollment.events") == count
    [team] = (await api.get("/mentor/teams", user="mentor.vantaa")).json()
    assert team["size"] == 10
    overview = {t["team_id"]: t for t in (await api.get("/teams", user="coordinator.vantaa")).json()}
    assert overview["team-092-2019-b"]["size"] == 2 and overview["team-092-2019-b"]["waitlisted"] == 1
