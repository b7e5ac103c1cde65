"""Pytest fixtures with real servers: PostgreSQL and NATS JetStream.

If `DATABASE_URL` / `NATS_URL` are set, tests use those servers; otherwise the fixtures start throw-away
servers from the project's wheels. Each test gets its own database and its own subject prefix, so tests
never see each other's data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from rinnalla_runtime.embedded import EmbeddedNats, EmbeddedPostgres


@dataclass(frozen=True)
class TestServers:
    postgres_url: str
    nats_url: str
    embedded_nats: EmbeddedNats | None
    embedded_postgres: EmbeddedPostgres | None


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants plain postgresql://; SQLAlchemy URLs carry the driver name."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def servers() -> Iterator[TestServers]:
    tmp = Path(tempfile.mkdtemp(prefix="rinnalla-test-"))
    pg: EmbeddedPostgres | None = None
    nats_server: EmbeddedNats | None = None
    try:
        pg_url = os.environ.get("DATABASE_URL")
        if not pg_url:
            pg = EmbeddedPostgres(tmp / "postgres", fast_unsafe=True).start()
            pg_url = pg.url
        nats_url = os.environ.get("NATS_URL")
        if not nats_url:
            nats_server = EmbeddedNats(tmp / "nats").start()
            nats_url = nats_server.url
        yield TestServers(asyncpg_dsn(pg_url), nats_url, nats_server, pg)
    finally:
        if nats_server:
            nats_server.stop()
        if pg:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
async def database_url(servers: TestServers) -> AsyncIterator[str]:
    """A fresh, empty database for one test (asyncpg-style URL), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(servers.postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield with_database(servers.postgres_url, name)
    admin = await asyncpg.connect(servers.postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def nats_url(servers: TestServers) -> str:
    return servers.nats_url


@pytest.fixture
def subject_prefix() -> str:
    """A prefix for stream and subject names that no other test uses."""
    return f"t{uuid.uuid4().hex[:10]}"
