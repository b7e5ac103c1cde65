"""The event store's tables. Service migrations install them with `store_ddl(schema)`.

`tx_id` records the writing transaction (xid8). Readers only go as far as the oldest transaction still
open (`pg_snapshot_xmin`), and read in (tx_id, position) order: a transaction that commits late has a
tx_id at or above that horizon, so no reader can pass it before it commits. No lock serialises writers.
"""

from __future__ import annotations

import re

from rinnalla_events._connections import PgConnection

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_schema_name(schema: str) -> str:
    if not _SCHEMA.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


KEYS_DDL = [
    "CREATE SCHEMA IF NOT EXISTS keys",
    """
    CREATE TABLE IF NOT EXISTS keys.subject_keys (
        subject_id  text PRIMARY KEY,
        wrapped_key bytea,
        created_at  timestamptz NOT NULL DEFAULT now(),
        erased_at   timestamptz,
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
    )
    """,
]


def create_schema_sql(schema: str) -> str:
    """Create a schema unless it exists. Unlike `CREATE SCHEMA IF NOT EXISTS`, which needs the CREATE
    privilege on the database even when the schema is there, this runs as a least-privilege role whose
    schemas an administrator made (deploy/postgres/initdb.d/10-roles.sql)."""
    s = check_schema_name(schema)
    return (
        "DO $rinnalla$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '{s}') THEN CREATE SCHEMA {s}; "
        "END IF; END $rinnalla$"
    )


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def keys_install_sql() -> str:
    """`KEYS_DDL`, skipped when the key table exists: in a deployment an administrator creates it (with
    row-level security) and the services' roles may not create anything in its schema."""
    statements = " ".join(f"EXECUTE {_sql_literal(' '.join(statement.split()))};" for statement in KEYS_DDL[1:])
    return (
        "DO $rinnalla$ BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'keys') THEN CREATE SCHEMA keys; "
        "END IF; "
        "IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'keys' AND c.relname = 'subject_keys') THEN "
        f"{statements} END IF; END $rinnalla$"
    )


def store_ddl(schema: str) -> list[str]:
    s = check_schema_name(schema)
    return [
        keys_install_sql(),
        create_schema_sql(s),
        f"""
        CREATE TABLE IF NOT EXISTS {s}.events (
            position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tx_id          xid8 NOT NULL DEFAULT pg_current_xact_id(),
            event_id       uuid NOT NULL UNIQUE,
            stream_type    text NOT NULL,
            stream_id      text NOT NULL,
            version        integer NOT NULL CHECK (version >= 1),
            event_type     text NOT NULL,
            schema_version integer NOT NULL,
            occurred_at    timestamptz NOT NULL,
            recorded_at    timestamptz NOT NULL DEFAULT now(),
            tenant         text,
            actor          text NOT NULL,
            correlation_id uuid NOT NULL,
            causation_id   uuid,
            traceparent    text,
            tracestate     text,
            payload        jsonb NOT NULL,
            CONSTRAINT events_stream_version UNIQUE (stream_type, stream_id, version)
        )
        """,
        f"CREATE INDEX IF NOT EXISTS events_tx_position ON {s}.events (tx_id, position)",
        f"""
        CREATE TABLE IF NOT EXISTS {s}.idempotency (
            key           text PRIMARY KEY,
            request_hash  text NOT NULL,
            stream_type   text NOT NULL,
            stream_id     text NOT NULL,
            first_version integer NOT NULL,
            last_version  integer NOT NULL,
            event_ids     uuid[] NOT NULL,
            result        jsonb,
            created_at    timestamptz NOT NULL DEFAULT now()
        )
        """,
        f"""
        CREATE TABLE IF NOT EXISTS {s}.checkpoints (
            name       text PRIMARY KEY,
            tx_id      xid8 NOT NULL,
            position   bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        f"""
        CREATE TABLE IF NOT EXISTS {s}.parked_events (
            consumer    text NOT NULL,
            event_id    uuid NOT NULL,
            event_type  text NOT NULL,
            stream_seq  bigint,
            error       text NOT NULL,
            envelope    jsonb NOT NULL,
            parked_at   timestamptz NOT NULL DEFAULT now(),
            resolved_at timestamptz,
            PRIMARY KEY (consumer, event_id)
        )
        """,
    ]


async def install_store(conn: PgConnection, schema: str) -> None:
    """Create the store's tables (idempotent). `conn` is an asyncpg connection."""
    # Two services migrating at once would race on CREATE SCHEMA IF NOT EXISTS keys (it is not atomic).
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rinnalla.ddl'))")
        for statement in store_ddl(schema):
            await conn.execute(statement)
