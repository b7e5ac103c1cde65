"""Fixtures: a migrated database, the billing API over HTTP with development tokens, the worker (relay and
projections), and `Enrollment`: enrollment's events as enrollment publishes them, on its JetStream stream."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from rinnalla_billing.bootstrap import Billing, open_billing
from rinnalla_billing.main import create_app, migrate
from rinnalla_events import Subjects, new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import AuthSettings

# Lets the test modules import the harness (billing_api.py) and the unit tests' builders.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))

from billing_api import Api, Enrollment, FixedClock, Worker


@pytest.fixture
async def settings(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path
) -> AsyncIterator[RuntimeSettings]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
        settings = RuntimeSettings(
            database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
        )
        await migrate(settings)
        yield settings


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 2, 9, tzinfo=UTC))


@pytest.fixture
async def billing(settings: RuntimeSettings, clock: FixedClock) -> AsyncIterator[Billing]:
    async with open_billing(settings, clock=clock) as opened:
        yield opened


@pytest.fixture
async def api(
    settings: RuntimeSettings, billing: Billing, tmp_path: Path, subject_prefix: str, nats_url: str
) -> AsyncIterator[Api]:
    key_dir = tmp_path / "dev-keys"
    app = create_app(settings, billing=billing, auth=AuthSettings.for_development(key_dir))
    worker = Worker(settings, billing)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://billing.test") as client:
            yield Api(client, billing, key_dir, worker, Enrollment(nats_url, Subjects(subject_prefix)))
    finally:
        await worker.close()
