"""The demo data: a team's first school years in the case log, loaded twice without change, and visible in
the views once the worker has projected it next to enrollment's demo data."""

from __future__ import annotations

import pytest
from caselog_api import TEAM_A, Api
from rinnalla_caselog.demo import load_demo

pytestmark = pytest.mark.integration


async def count(api: Api) -> dict[str, int]:
    async with api.caselog.runtime.connections.acquire() as conn:
        rows = await conn.fetch("SELECT event_type, count(*) AS n FROM caselog.events GROUP BY 1")
    return {row["event_type"]: row["n"] for row in rows}


async def test_the_demo_data_loads_once_and_shows_in_the_views(api: Api) -> None:
    await load_demo(api.caselog)
    first = await count(api)
    assert first["caselog.AssessmentRecorded"] == 40  # two SDQ waves, parent and teacher, ten children
    assert first["caselog.SessionHeld"] > 100 and first["caselog.ContactRecorded"] > 250
    assert first["caselog.GoalSet"] == 10 and first["caselog.TimeReported"] > 50
    await load_demo(api.caselog)
    assert await count(api) == first
    await api.project()
    today = (await api.get("/mentor/today")).json()
    [team] = today["teams"]
    assert team["team_id"] == TEAM_A
    assert all(child["last_contact"] is not None for child in team["children"])
    overview = (await api.get(f"/teams/{TEAM_A}/caselog-overview", user="coordinator.vantaa")).json()
    coverage = {(c["informant"], c["wave"]): c["children"] for c in overview["assessment_coverage"]}
    assert coverage[("parent", "baseline")] == coverage[("teacher", "plus_1y")] == 10
