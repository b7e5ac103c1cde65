"""Generations of a projection's tables, their checkpoints, and the views readers go through.

`<schema>.projection_generations` says which generation of each projection is `active` (the views point
at it), which one a rebuild is `building`, and which are `retired`. `<schema>.projection_checkpoints`
holds, per (projection, generation, source stream), the last JetStream sequence whose effect is in that
generation's tables, and that message's event id; it is written in the same transaction as the rows.

Switching is one transaction: the generations row is locked FOR UPDATE (every batch of the live runner
holds it FOR SHARE, so no batch straddles the switch), the views are replaced, the rows are updated.
Readers see the old generation or the new one, never a mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from rinnalla_events._connections import PgConnection
from rinnalla_events._ddl import check_schema_name, create_schema_sql
from rinnalla_events._projection import Projection, Tables

BUILDING = "building"
ACTIVE = "active"
RETIRED = "retired"
VIEW_COMMENT_PREFIX = "rinnalla projection "


def projection_ddl(schema: str) -> list[str]:
    """The framework's tables (idempotent). Service migrations may run them; the runner does too."""
    s = check_schema_name(schema)
    return [
        create_schema_sql(s),
        f"""
        CREATE TABLE IF NOT EXISTS {s}.projection_generations (
            projection   text NOT NULL,
            generation   integer NOT NULL CHECK (generation >= 1),
            version      integer NOT NULL,
            state        text NOT NULL CHECK (state IN ('building', 'active', 'retired')),
            created_at   timestamptz NOT NULL DEFAULT now(),
            activated_at timestamptz,
            PRIMARY KEY (projection, generation)
        )
        """,
        f"""
        CREATE UNIQUE INDEX IF NOT EXISTS projection_generations_one_active
            ON {s}.projection_generations (projection) WHERE state = 'active'
        """,
        f"""
        CREATE TABLE IF NOT EXISTS {s}.projection_checkpoints (
            projection text NOT NULL,
            generation integer NOT NULL,
            source     text NOT NULL,
            last_seq   bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
            last_event_id uuid,  -- the event at last_seq: tells whether the stream still holds what we applied
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (projection, generation, source),
            FOREIGN KEY (projection, generation)
                REFERENCES {s}.projection_generations (projection, generation) ON DELETE CASCADE
        )
        """,
    ]


@dataclass(frozen=True)
class Generation:
    projection: str
    generation: int
    version: int
    state: str


class ViewBelongsToAnotherProjection(RuntimeError):
    """Two projections declared a table of the same name in one read schema."""


async def install_projections(conn: PgConnection, schema: str, read_schema: str) -> None:
    """Create the framework's tables and the read schema (idempotent, safe to race)."""
    check_schema_name(read_schema)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rinnalla.ddl'))")
        for statement in projection_ddl(schema):
            await conn.execute(statement)
        await conn.execute(create_schema_sql(read_schema))
    parked = await conn.fetchval("SELECT to_regclass($1)", f"{schema}.parked_events")
    if parked is None:
        raise RuntimeError(f"{schema}.parked_events is missing: install the event store tables (store_ddl) first")


def lock_key(schema: str, name: str) -> str:
    """What advisory locks of a projection are named by: services may share a database, not a schema."""
    return f"{schema}.{name}"


async def lock_projection_ddl(conn: PgConnection, schema: str, name: str) -> None:
    """Serialise generation changes of one projection (first install and rebuilds) within a transaction."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('rinnalla.projection.ddl'), hashtext($1))", lock_key(schema, name)
    )


async def active_generation(conn: PgConnection, schema: str, name: str) -> Generation | None:
    row = await conn.fetchrow(
        f"SELECT projection, generation, version, state FROM {schema}.projection_generations"
        " WHERE projection = $1 AND state = 'active'",
        name,
    )
    return None if row is None else Generation(row["projection"], row["generation"], row["version"], row["state"])


async def generations(conn: PgConnection, schema: str, name: str) -> list[Generation]:
    rows = await conn.fetch(
        f"SELECT projection, generation, version, state FROM {schema}.projection_generations"
        " WHERE projection = $1 ORDER BY generation",
        name,
    )
    return [Generation(r["projection"], r["generation"], r["version"], r["state"]) for r in rows]


async def checkpoints(conn: PgConnection, schema: str, name: str, generation: int) -> dict[str, int]:
    rows = await conn.fetch(
        f"SELECT source, last_seq FROM {schema}.projection_checkpoints WHERE projection = $1 AND generation = $2",
        name,
        generation,
    )
    return {r["source"]: int(r["last_seq"]) for r in rows}


async def reset_checkpoint(conn: PgConnection, schema: str, name: str, generation: int, source: str) -> None:
    """Read `source` again from its start (the per-stream version guard skips what was applied)."""
    await conn.execute(
        f"UPDATE {schema}.projection_checkpoints SET last_seq = 0, last_event_id = NULL, updated_at = now()"
        " WHERE projection = $1 AND generation = $2 AND source = $3",
        name,
        generation,
        source,
    )


async def checkpoint_event_ids(conn: PgConnection, schema: str, name: str, generation: int) -> dict[str, Any]:
    rows = await conn.fetch(
        f"SELECT source, last_event_id FROM {schema}.projection_checkpoints WHERE projection = $1 AND generation = $2",
        name,
        generation,
    )
    return {r["source"]: r["last_event_id"] for r in rows}


async def ensure_sources(conn: PgConnection, schema: str, name: str, generation: int, sources: list[str]) -> None:
    """A source added to a projection starts from the beginning of its stream."""
    await conn.execute(
        f"INSERT INTO {schema}.projection_checkpoints (projection, generation, source)"
        " SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING",
        name,
        generation,
        sources,
    )


async def create_generation(
    conn: PgConnection,
    schema: str,
    read_schema: str,
    projection: Projection,
    sources: list[str],
    *,
    activate: bool,
) -> Tables:
    """Create the next generation's tables (and, for a first install, activate it with its views)."""
    async with conn.transaction():
        await lock_projection_ddl(conn, schema, projection.name)
        if activate and await active_generation(conn, schema, projection.name) is not None:
            raise RuntimeError(f"projection {projection.name} already has an active generation")
        number = await conn.fetchval(
            f"SELECT coalesce(max(generation), 0) + 1 FROM {schema}.projection_generations WHERE projection = $1",
            projection.name,
        )
        tables = projection.tables_for(schema, int(number))
        await conn.execute(
            f"INSERT INTO {schema}.projection_generations (projection, generation, version, state, activated_at)"
            " VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'active' THEN now() END)",
            projection.name,
            tables.generation,
            projection.version,
            ACTIVE if activate else BUILDING,
        )
        await ensure_sources(conn, schema, projection.name, tables.generation, sources)
        for statement in projection.ddl(tables):
            await conn.execute(statement)
        await conn.execute(
            f"CREATE TABLE {tables.seen} (source text NOT NULL, stream_type text NOT NULL, stream_id text NOT NULL,"
            " version integer NOT NULL, PRIMARY KEY (source, stream_type, stream_id))"
        )
        if activate:
            await point_views(conn, read_schema, projection, tables, previous=None)
    return tables


async def point_views(
    conn: PgConnection, read_schema: str, projection: Projection, tables: Tables, previous: Tables | None
) -> None:
    """Point every view at `tables` (inside the caller's transaction)."""
    marker = VIEW_COMMENT_PREFIX + projection.name
    for name in tables.names:
        view = f"{read_schema}.{name}"
        owner = await conn.fetchval("SELECT obj_description(to_regclass($1), 'pg_class')", view)
        exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", view)
        if exists and owner != marker:
            raise ViewBelongsToAnotherProjection(
                f"view {view} exists and is not projection {projection.name}'s ({owner or 'no owner'})"
            )
        # CREATE OR REPLACE keeps the view's grants and dependants; it refuses when a new version drops or
        # renames columns, and then the view is recreated (same transaction, so readers still switch at once).
        try:
            async with conn.transaction():
                await conn.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {tables[name]}")
        except asyncpg.InvalidTableDefinitionError:
            await conn.execute(f"DROP VIEW IF EXISTS {view}")
            await conn.execute(f"CREATE VIEW {view} AS SELECT * FROM {tables[name]}")
        await conn.execute(f"COMMENT ON VIEW {view} IS '{marker}'")
    if previous is not None:
        for name in set(previous.names) - set(tables.names):
            await conn.execute(f"DROP VIEW IF EXISTS {read_schema}.{name}")


@dataclass(frozen=True)
class SwitchAttempt:
    switched: bool
    previous: int | None
    behind: Mapping[str, int]  # per source: how far the new generation is behind the live one (0 if not)


async def try_switch(
    conn: PgConnection, schema: str, read_schema: str, projection: Projection, generation: int
) -> SwitchAttempt:
    """Activate `generation` if it has caught up with the active one on every source it shares with it."""
    async with conn.transaction():
        current = await conn.fetchrow(
            f"SELECT generation FROM {schema}.projection_generations"
            " WHERE projection = $1 AND state = 'active' FOR UPDATE",
            projection.name,
        )
        new_seqs = await checkpoints(conn, schema, projection.name, generation)
        previous: int | None = None if current is None else int(current["generation"])
        behind: dict[str, int] = {}
        if previous is not None:
            live = await checkpoints(conn, schema, projection.name, previous)
            behind = {s: live[s] - new_seqs[s] for s in new_seqs if s in live and live[s] > new_seqs[s]}
            if behind:
                return SwitchAttempt(False, previous, behind)
            await conn.execute(
                f"UPDATE {schema}.projection_generations SET state = 'retired'"
                " WHERE projection = $1 AND generation = $2",
                projection.name,
                previous,
            )
        await conn.execute(
            f"UPDATE {schema}.projection_generations SET state = 'active', activated_at = now()"
            " WHERE projection = $1 AND generation = $2",
            projection.name,
            generation,
        )
        previous_tables = None if previous is None else await _tables_of(schema, projection, previous, conn)
        await point_views(conn, read_schema, projection, projection.tables_for(schema, generation), previous_tables)
    return SwitchAttempt(True, previous, {})


async def _tables_of(schema: str, projection: Projection, generation: int, conn: PgConnection) -> Tables:
    """The tables of an older generation: its logical names are read from the catalogue (they may differ)."""
    prefix = f"{projection.name}__g{generation}__"
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND starts_with(c.relname, $2)",
        schema,
        prefix,
    )
    names = tuple(sorted(r["relname"][len(prefix) :] for r in rows if not r["relname"][len(prefix) :].startswith("_")))
    return Tables(schema, projection.name, generation, names)


async def drop_generation(conn: PgConnection, schema: str, projection: Projection, generation: int) -> None:
    """Drop a generation that is not active: its tables, its checkpoints, its row."""
    async with conn.transaction():
        await lock_projection_ddl(conn, schema, projection.name)
        state = await conn.fetchval(
            f"SELECT state FROM {schema}.projection_generations WHERE projection = $1 AND generation = $2",
            projection.name,
            generation,
        )
        if state == ACTIVE:
            raise RuntimeError(f"generation {generation} of {projection.name} is active; switch before dropping it")
        tables = await _tables_of(schema, projection, generation, conn)
        for table in tables.all_physical:
            await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.execute(
            f"DELETE FROM {schema}.projection_generations WHERE projection = $1 AND generation = $2",
            projection.name,
            generation,
        )
