"""Fixtures: enrollment and network migrated into one real PostgreSQL, both APIs over HTTP and both workers
(see network_stack.py)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from rinnalla_enrollment import main as enrollment_main
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_events import new_master_key
from rinnalla_network import main as network_main
from rinnalla_network.bootstrap import open_network
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import AuthSettings

# Lets the test modules import the shared stack in network_stack.py.
sys.path.insert(0, str(Path(__file__).parent))

from network_stack import Client, Stack, Workers


@pytest.fixture
async def stack(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path
) -> AsyncIterator[Stack]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
        settings = RuntimeSettings(
            database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
        )
        await enrollment_main.migrate(settings)
        await network_main.migrate(settings)
        key_dir = tmp_path / "dev-keys"
        auth = AuthSettings.for_development(key_dir)
        async with open_enrollment(settings) as enrollment, open_network(settings) as network:
            enrollment_app = enrollment_main.create_app(settings, enrollment=enrollment, auth=auth)
            network_app = network_main.create_app(settings, network=network, auth=auth)
            workers = Workers(settings, enrollment, network)
            try:
                async with (
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=enrollment_app),
                                      base_url="http://enrollment.test") as e_http,
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=network_app),
                                      base_url="http://network.test") as n_http,
                ):
                    yield Stack(Client(e_http, key_dir), Client(n_http, key_dir), workers, network)
            finally:
                await workers.close()
