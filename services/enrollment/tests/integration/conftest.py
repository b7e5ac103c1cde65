"""Fixtures: a migrated database, the service over HTTP, development tokens per demo user, and the
worker (relay to JetStream and projection runners) that keeps the read model current."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment
from rinnalla_enrollment.main import create_app, migrate
from rinnalla_events import new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import AuthSettings

# Lets the test modules import the shared scenario in enrollment_scenario.py and the harness in enrollment_http.py.
sys.path.insert(0, str(Path(__file__).parent))

from enrollment_http import Api, Worker


@pytest.fixture
async def settings(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path
) -> AsyncIterator[RuntimeSettings]:
    # A JetStream stream of this test's own; not the test's `monkeypatch`, which a test may undo.
    with pytest.MonkeyPatch.context() as env:
        env.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
        settings = RuntimeSettings(
            database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
        )
        await migrate(settings)
        yield settings


@pytest.fixture
async def enrollment(settings: RuntimeSettings) -> AsyncIterator[Enrollment]:
    async with open_enrollment(settings) as opened:
        yield opened


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "dev-keys"


@pytest.fixture
def app(settings: RuntimeSettings, enrollment: Enrollment, key_dir: Path) -> Any:
    return create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))


@pytest.fixture
async def api(app: Any, settings: RuntimeSettings, enrollment: Enrollment, key_dir: Path) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    worker = Worker(settings, enrollment)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://enrollment.test") as client:
            yield Api(client, enrollment, key_dir, worker)
    finally:
        await worker.close()
