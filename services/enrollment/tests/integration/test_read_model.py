"""The read model is a pure function of the log: rebuilding it (blue/green, with the live runner going on)
gives the same rows, a restarted runner adds none twice, and an erased person leaves no row. Also the
Grafana role's access and the demo data."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_scenario import FORM, OTHER_TEAM, TEAM, enrolled_child, partnership_with_teams, selected_child
from rinnalla_enrollment.config import EVENT_SCHEMA
from rinnalla_enrollment.demo import load_demo
from rinnalla_enrollment.projections.tables import PROJECTION_NAME, READ_SCHEMA, TABLES, VIEWS
from rinnalla_events import erase_subject
from rinnalla_events._generations import active_generation, reset_checkpoint

pytestmark = pytest.mark.integration


async def snapshot(api) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with api.enrollment.connections.acquire() as conn:
        for name in [*TABLES, *VIEWS]:
            records = await conn.fetch(f"SELECT * FROM {READ_SCHEMA}.{name}")
            rows[name] = sorted((tuple(r.values()) for r in records), key=repr)
    return rows


async def a_busy_programme(api) -> None:
    await partnership_with_teams(api)
    for n in range(1, 4):
        await enrolled_child(api, n)
    await enrolled_child(api, 4, team=OTHER_TEAM)
    await selected_child(api, 5)
    await api.ok("/children/child-0001/transfer", {"to_team_id": OTHER_TEAM, "transferred_on": "2026-01-10"})
    await api.ok("/children/child-0002/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    await api.ok("/children/child-0003/consent-withdrawals",
                 {"consent_id": "consent-3", "signed_by": "guardian-3", "evidence": FORM})
    await api.ok(f"/teams/{TEAM}/mentor-handovers", {
        "outgoing_mentor_id": "user-mentor.vantaa", "incoming_mentor_id": "mentor-new", "handed_over_on": "2026-06-30"
    })


async def generation(api) -> int:
    async with api.enrollment.connections.acquire() as conn:
        active = await active_generation(conn, EVENT_SCHEMA, PROJECTION_NAME)
    assert active is not None
    return active.generation


async def test_the_read_model_equals_its_rebuild_from_the_log(api):
    await a_busy_programme(api)
    await api.project()
    before = await snapshot(api)
    old = await generation(api)
    progress: list[tuple[int, int]] = []

    result = await api.enrollment.read_models.rebuild(
        PROJECTION_NAME, api.worker.nc.jetstream(), lambda done, total: progress.append((done, total))
    )

    assert result.generation == await generation(api) == old + 1
    assert await snapshot(api) == before
    assert progress and progress[-1][0] == progress[-1][1] == result.events > 0
    await api.project()  # the live runner goes on with the new generation
    await api.ok("/children/child-0005/waitlisting", {"team_id": TEAM, "decided_on": "2025-08-20"})
    await api.project()
    overview = {t["team_id"]: t for t in (await api.get("/teams", user="coordinator.vantaa")).json()}
    assert overview[TEAM]["waitlisted"] == 1
    assert sum(len(rows) for rows in before.values()) > 0


async def test_a_restarted_runner_that_reads_the_stream_again_applies_nothing_twice(api):
    await a_busy_programme(api)
    await api.project()
    before = await snapshot(api)
    await api.worker.stop()
    async with api.enrollment.connections.acquire() as conn:  # as if the stream had been recreated
        await reset_checkpoint(conn, EVENT_SCHEMA, PROJECTION_NAME, await generation(api),
                               api.enrollment.subjects.stream_name("enrollment"))

    await api.project()  # a new worker reads the whole stream again

    assert await snapshot(api) == before


async def test_an_erased_child_and_guardian_leave_no_row_in_the_read_model(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    await enrolled_child(api, 2)
    await api.project()
    keys = api.enrollment.codec.keys

    await erase_subject(api.enrollment.store, keys, "child-0001", "child", "test", "dpo", "092")
    await erase_subject(api.enrollment.store, keys, "guardian-2", "guardian", "test", "dpo", "092")
    await api.project()

    rows = await snapshot(api)
    assert "child-0001" not in repr(rows), [(t, r) for t, rs in rows.items() for r in rs if "child-0001" in repr(r)]
    # The other child stays, without the erased guardian's contact row; their consent register keeps the
    # guardian's bare id, which names no one once the key is gone.
    assert [r for r in rows["guardians"] if "guardian-2" in r] == [] and "Huoltaja2" not in repr(rows)
    assert "child-0002" in repr(rows["children"])
    overview = {t["team_id"]: t for t in (await api.get("/teams", user="coordinator.vantaa")).json()}
    assert overview[TEAM]["size"] == 1


async def test_no_read_model_table_holds_an_identity_code(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        hetu = await conn.fetchval(f"SELECT hetu_masked FROM {READ_SCHEMA}.children")
    assert hetu is not None and len(hetu) == 11 and not hetu[7:10].isdigit()


async def test_the_grafana_role_reads_the_views_but_not_the_tables_with_names(api):
    await partnership_with_teams(api)
    await api.project()
    await api.enrollment.read_models.rebuild(PROJECTION_NAME, api.worker.nc.jetstream())  # a generation switch
    async with api.enrollment.connections.acquire() as conn:
        physical = await conn.fetchval(
            "SELECT bool_or(has_table_privilege('grafana_reader', c.oid, 'SELECT')) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'enrollment' AND c.relkind = 'r'"
        )
        async with conn.transaction():
            await conn.execute("SET LOCAL ROLE grafana_reader")
            teams = await conn.fetchval(f"SELECT count(*) FROM {READ_SCHEMA}.v_team_overview")
        can_view = await conn.fetchval(
            "SELECT has_table_privilege('grafana_reader', 'enrollment_read.v_team_overview', 'SELECT')"
        )
        can_table = await conn.fetchval(
            "SELECT has_table_privilege('grafana_reader', 'enrollment_read.children', 'SELECT')"
        )
    assert can_view is True and can_table is False and physical is False
    assert teams == 2


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
