"""Fixtures shared by the event log's tests: real PostgreSQL and NATS (from `rinnalla_runtime.testing`).

`relay_helpers.py` beside this file is loaded here once and registered as the module `relay_helpers`, so
test modules can `import relay_helpers` (test directories are not packages under importlib import mode).
"""

from __future__ import annotations

import base64
import importlib.util
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
from rinnalla_events._codec import EventCodec
from rinnalla_events._connections import AsyncpgConnections
from rinnalla_events._crypto import PostgresKeyStore
from rinnalla_events._ddl import install_store
from rinnalla_events._store import PostgresEventStore
from rinnalla_events._subjects import Subjects
from rinnalla_events._subscriber import ProjectionRunner
from rinnalla_events.sample_events import registry
from rinnalla_events.testkit import BackgroundRunner, EventLogKit

SCHEMA = "svc"


def _load_relay_helpers() -> None:
    if "relay_helpers" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location("relay_helpers", Path(__file__).with_name("relay_helpers.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["relay_helpers"] = module
    spec.loader.exec_module(module)


_load_relay_helpers()


@pytest.fixture
def master_key() -> bytes:
    return base64.b64decode(base64.b64encode(os.urandom(32)))


@pytest.fixture
async def pg(database_url: str) -> AsyncIterator[AsyncpgConnections]:
    """An asyncpg pool on the test's own database, with the store's tables in schema `svc`."""
    connections = AsyncpgConnections(await asyncpg.create_pool(database_url, min_size=1, max_size=10))
    async with connections.acquire() as conn:
        await install_store(conn, SCHEMA)
    yield connections
    await connections.close()


@pytest.fixture
def store(pg: AsyncpgConnections, master_key: bytes) -> PostgresEventStore:
    """The PostgreSQL event store over `pg`, knowing the sample events."""
    return PostgresEventStore(pg, SCHEMA, EventCodec(registry(), PostgresKeyStore(pg, master_key)))


@pytest.fixture
def subjects(subject_prefix: str) -> Subjects:
    return Subjects(subject_prefix)


@pytest.fixture
async def kit(database_url: str, nats_url: str, subject_prefix: str) -> AsyncIterator[EventLogKit]:
    """A store, a JetStream connection and the service's stream, for projection tests."""
    kit = await EventLogKit.start(database_url, nats_url, subject_prefix, registry())
    yield kit
    await kit.close()


@pytest.fixture
async def run() -> AsyncIterator[Callable[[ProjectionRunner], BackgroundRunner]]:
    """Starts runners in the background; whatever a test leaves running is stopped afterwards."""
    started: list[BackgroundRunner] = []

    def start(runner: ProjectionRunner) -> BackgroundRunner:
        started.append(BackgroundRunner(runner))
        return started[-1]

    yield start
    for running in started:
        if not running.task.done():
            await running.stop()
        elif not running.task.cancelled():
            running.task.exception()  # retrieved: a runner that failed on purpose was asserted by its test
