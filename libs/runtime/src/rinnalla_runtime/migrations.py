"""Alembic upgrades run from code, for revisions a service keeps inside its own package.

A service needs only a directory with a `versions/` folder of Alembic revision files (for example
`src/rinnalla_enrollment/migrations/versions/`); no `alembic.ini` and no `env.py`, because this module
plays the part of `env.py`. Each service records its revision in its own schema's version table, so
services sharing one database never read each other's migration history.

The whole upgrade runs in one transaction (PostgreSQL has transactional DDL): a failed revision leaves
the database as it was. A transaction-scoped advisory lock per schema makes concurrent upgrades (an
API and a worker container starting together) take turns; the second finds nothing left to do.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from rinnalla_runtime.settings import sqlalchemy_async_url

DEFAULT_VERSION_TABLE = "alembic_version"
# Alembic's `context` and `op` are module-level proxies: two upgrades interleaving in one process would
# swap them under each other. Within a process upgrades take turns on this lock (one per event loop);
# across processes the advisory lock below does the same.
_PROCESS_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked_identifier(name: str, what: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{what} {name!r} must be a lower-case SQL identifier (letters, digits, underscore)")
    return name


def _config(script_location: Path) -> Config:
    if not (script_location / "versions").is_dir():
        raise FileNotFoundError(f"no Alembic 'versions' directory in {script_location}")
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("path_separator", "os")
    return config


def _upgrade(
    connection: Connection, script_location: Path, schema: str, version_table: str, revision: str
) -> list[str]:
    config = _config(script_location)
    script = ScriptDirectory.from_config(config)
    applied: list[str] = []

    def steps(current: Any, _context: MigrationContext) -> Iterable[Any]:
        # what `alembic upgrade` itself computes: the revisions between the current heads and the target
        planned = list(script._upgrade_revs(revision, current))
        applied.extend(str(step.revision.revision) for step in planned if hasattr(step, "revision"))
        return planned

    with EnvironmentContext(config, script, fn=steps, destination_rev=revision) as environment:
        environment.configure(
            connection=connection,
            version_table=version_table,
            version_table_schema=schema,
            transactional_ddl=True,
            transaction_per_migration=False,
        )
        with environment.begin_transaction():
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"migrate:{schema}"})
            # looked up first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even
            # when the schema exists, and a least-privilege owner role gets its schema made by an admin
            exists = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
            if exists.first() is None:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            environment.run_migrations()
    if connection.in_transaction():
        connection.commit()
    return applied


async def upgrade_database(
    script_location: str | Path,
    database_url: str,
    *,
    version_table_schema: str,
    version_table: str = DEFAULT_VERSION_TABLE,
    revision: str = "head",
) -> list[str]:
    """Upgrade to `revision` (default: the newest). Returns the revision ids applied, oldest first.

    `database_url` may be `postgresql://`, `postgres://` or `postgresql+asyncpg://`; the migration runs
    on SQLAlchemy's async engine over asyncpg, the driver the services use anyway.
    """
    schema = _checked_identifier(version_table_schema, "version table schema")
    table = _checked_identifier(version_table, "version table")
    location = Path(script_location)
    lock = _PROCESS_LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    engine = create_async_engine(sqlalchemy_async_url(database_url), poolclass=NullPool)
    try:
        async with lock, engine.connect() as connection:
            return await connection.run_sync(_upgrade, location, schema, table, revision)
    finally:
        await engine.dispose()


def _heads(connection: Connection, schema: str, version_table: str) -> tuple[str, ...]:
    context = MigrationContext.configure(
        connection, opts={"version_table": version_table, "version_table_schema": schema}
    )
    return tuple(context.get_current_heads())


async def current_revisions(
    database_url: str, *, version_table_schema: str, version_table: str = DEFAULT_VERSION_TABLE
) -> tuple[str, ...]:
    """The revision ids the database is at (empty before the first upgrade)."""
    schema = _checked_identifier(version_table_schema, "version table schema")
    table = _checked_identifier(version_table, "version table")
    lock = _PROCESS_LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    engine = create_async_engine(sqlalchemy_async_url(database_url), poolclass=NullPool)
    try:
        async with lock, engine.connect() as connection:
            return await connection.run_sync(_heads, schema, table)
    finally:
        await engine.dispose()
