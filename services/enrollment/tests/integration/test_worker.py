"""The worker and the CLI's operations on the read model, through the service's entry points."""

from __future__ import annotations

import asyncio

import pytest
from enrollment_scenario import TEAM, partnership_with_teams
from rinnalla_enrollment.main import projection_lag, rebuild_projection, run_worker, service_spec
from rinnalla_enrollment.projections.tables import PROJECTION_NAME
from rinnalla_events.testkit import eventually
from rinnalla_runtime.service import UnknownProjection

pytestmark = pytest.mark.integration


async def test_the_worker_keeps_the_read_model_current_and_stops_when_told(api, settings):
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop))
    await partnership_with_teams(api)

    async def caught_up() -> bool:
        return (await projection_lag(settings))[PROJECTION_NAME] == 0

    await eventually(caught_up, within=30)
    stop.set()
    await worker

    teams = (await api.get("/teams", user="coordinator.vantaa")).json()
    assert TEAM in [t["team_id"] for t in teams]


async def test_the_cli_rebuilds_the_projection_by_name_and_refuses_unknown_names(api, settings):
    await partnership_with_teams(api)
    await api.project()  # the worker has published the log and keeps running during the rebuild
    progress: list[tuple[int, int]] = []

    await rebuild_projection(settings, PROJECTION_NAME, lambda done, total: progress.append((done, total)))

    assert progress and progress[-1][0] == progress[-1][1] > 0
    assert await projection_lag(settings) == {PROJECTION_NAME: 0}
    with pytest.raises(UnknownProjection):
        await rebuild_projection(settings, "nope", lambda done, total: None)
    assert service_spec().projection_names == (PROJECTION_NAME,)
