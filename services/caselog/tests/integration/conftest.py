"""Fixtures: a migrated database with enrollment and the case log, both services' APIs over an in-process
transport, and their workers (see caselog_api.py)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from rinnalla_events import new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import AuthSettings

# Lets the test modules import the shared helpers in caselog_api.py.
sys.path.insert(0, str(Path(__file__).parent))

from caselog_api import TODAY, Api, Workers
from rinnalla_caselog import main as caselog_main
from rinnalla_caselog.bootstrap import open_caselog
from rinnalla_enrollment import main as enrollment_main
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_enrollment.demo import load_demo


@pytest.fixture
async def settings(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path
) -> AsyncIterator[RuntimeSettings]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
        settings = RuntimeSettings(
            database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
        )
        await enrollment_main.migrate(settings)
        await caselog_main.migrate(settings)
        yield settings


@pytest.fixture
async def api(settings: RuntimeSettings, tmp_path: Path) -> AsyncIterator[Api]:
    key_dir = tmp_path / "dev-keys"
    auth = AuthSettings.for_development(key_dir)
    async with open_enrollment(settings) as enrollment, open_caselog(settings, clock=lambda: TODAY) as caselog:
        await load_demo(enrollment)
        workers = Workers(settings, enrollment, caselog)
        caselog_app = caselog_main.create_app(settings, caselog=caselog, auth=auth)
        enrollment_app = enrollment_main.create_app(settings, enrollment=enrollment, auth=auth)
        try:
            async with (
                httpx.AsyncClient(transport=httpx.ASGITransport(app=caselog_app), base_url="http://caselog.test") as c,
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=enrollment_app), base_url="http://enrollment.test"
                ) as e,
            ):
                api = Api(c, e, caselog, enrollment, key_dir, workers)
                await api.project()
                yield api
        finally:
            await workers.close()


