from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from rinnalla_events.codec import EventCodec
from rinnalla_events.connections import AsyncpgConnections, SqlAlchemyConnections
from rinnalla_events.crypto import InMemoryKeyStore, PostgresKeyStore
from rinnalla_events.ddl import install_store
from rinnalla_events.memory import InMemoryEventStore
from rinnalla_events.sample_events import registry
from rinnalla_events.store import EventStore, PostgresEventStore
from sqlalchemy.ext.asyncio import create_async_engine

SCHEMA = "svc"


@pytest.fixture
def master_key() -> bytes:
    return base64.b64decode(base64.b64encode(os.urandom(32)))


@pytest.fixture
async def pg(database_url: str) -> AsyncIterator[AsyncpgConnections]:
    connections = AsyncpgConnections(await asyncpg.create_pool(database_url, min_size=1, max_size=10))
    async with connections.acquire() as conn:
        await install_store(conn, SCHEMA)
    yield connections
    await connections.close()


@pytest.fixture(params=["memory", "postgres", "postgres-via-sqlalchemy"])
async def store(request: pytest.FixtureRequest, database_url: str, master_key: bytes) -> AsyncIterator[EventStore]:
    """The contract suite runs against every event store implementation."""
    if request.param == "memory":
        yield InMemoryEventStore(EventCodec(registry(), InMemoryKeyStore()))
        return
    if request.param == "postgres":
        pg_conn = AsyncpgConnections(await asyncpg.create_pool(database_url, min_size=1, max_size=10))
        async with pg_conn.acquire() as conn:
            await install_store(conn, SCHEMA)
        yield PostgresEventStore(pg_conn, SCHEMA, EventCodec(registry(), PostgresKeyStore(pg_conn, master_key)))
        await pg_conn.close()
        return
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=10)
    sa_conn = SqlAlchemyConnections(engine)
    async with sa_conn.acquire() as conn:
        await install_store(conn, SCHEMA)
    yield PostgresEventStore(sa_conn, SCHEMA, EventCodec(registry(), PostgresKeyStore(sa_conn, master_key)))
    await engine.dispose()
