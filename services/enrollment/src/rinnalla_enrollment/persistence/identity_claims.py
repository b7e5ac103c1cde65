"""`IdentityClaims` over PostgreSQL: the lookup table `identity_index` and the identity streams' events.

`identity_index` maps the lookup key (a keyed hash of the identity code) to a random identity stream id. It
is the only place a derivative of an identity code is kept, and erasure deletes the row: the event log
holds only the random id, and `IdentityClaimed` events carry the child id in plain text.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import timedelta

from rinnalla_events import ConnectionSource

from rinnalla_enrollment.domain import identity

INDEX_TABLE = "identity_index"
ORPHAN_AGE = timedelta(hours=1)


class PostgresIdentityClaims:
    def __init__(self, connections: ConnectionSource, schema: str) -> None:
        self._connections = connections
        self._events = f"{schema}.events"
        self._index = f"{schema}.{INDEX_TABLE}"

    async def stream_of(self, lookup_key: str) -> str:
        async with self._connections.acquire() as conn:
            # Two enrolments of one person at once get the same stream: the stream's version decides the race.
            await conn.execute(
                f"INSERT INTO {self._index} (lookup_key, stream_id) VALUES ($1, $2)"
                " ON CONFLICT (lookup_key) DO NOTHING",
                lookup_key, str(uuid.uuid4()),
            )
            stream_id = await conn.fetchval(
                f"SELECT stream_id FROM {self._index} WHERE lookup_key = $1", lookup_key
            )
        return str(stream_id)

    async def forget(self, stream_ids: Collection[str]) -> int:
        """Also sweeps lookup keys that never led to a claim (an enrolment that failed after the lookup): once
        they are older than `ORPHAN_AGE`, no enrolment can still be on its way to claim them."""
        async with self._connections.acquire() as conn:
            deleted = await conn.fetch(
                f"""DELETE FROM {self._index} i
                     WHERE i.stream_id = ANY($1::text[])
                        OR (i.created_at < now() - $2::interval
                            AND NOT EXISTS (SELECT 1 FROM {self._events} e
                                             WHERE e.stream_type = $3 AND e.stream_id = i.stream_id))
                    RETURNING i.stream_id""",
                list(stream_ids), ORPHAN_AGE, identity.STREAM_TYPE,
            )
        return len(deleted)

    async def claimed_by(self, child_id: str) -> list[str]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT DISTINCT stream_id FROM {self._events} WHERE stream_type = $1"
                " AND event_type = $2 AND payload->>'child_id' = $3 ORDER BY stream_id",
                identity.STREAM_TYPE, identity.IdentityClaimed.event_type, child_id,
            )
        return [str(row["stream_id"]) for row in rows]


def identity_index_ddl(schema: str) -> list[str]:
    """The lookup table, and the rewrite of identity streams named by the old keyed hash (revision 0005).

    Each old stream (its id is the lookup key, 64 hex digits) gets a random id; only a stream still held
    keeps a lookup key, in the table. Safe to run again: renamed streams no longer match."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {schema}.{INDEX_TABLE} (
               lookup_key text PRIMARY KEY,
               stream_id  text NOT NULL UNIQUE,
               created_at timestamptz NOT NULL DEFAULT now()
           )""",
        f"""
        DO $$
        DECLARE
            old record;
            fresh text;
            released boolean;
        BEGIN
            FOR old IN SELECT DISTINCT stream_id FROM {schema}.events
                        WHERE stream_type = '{identity.STREAM_TYPE}' AND stream_id ~ '^[0-9a-f]{{64}}$'
            LOOP
                fresh := gen_random_uuid()::text;
                SELECT event_type = '{identity.IdentityReleased.event_type}' INTO released
                  FROM {schema}.events
                 WHERE stream_type = '{identity.STREAM_TYPE}' AND stream_id = old.stream_id
                 ORDER BY version DESC LIMIT 1;
                UPDATE {schema}.events SET stream_id = fresh
                 WHERE stream_type = '{identity.STREAM_TYPE}' AND stream_id = old.stream_id;
                UPDATE {schema}.idempotency SET stream_id = fresh
                 WHERE stream_type = '{identity.STREAM_TYPE}' AND stream_id = old.stream_id;
                IF NOT released THEN
                    INSERT INTO {schema}.{INDEX_TABLE} (lookup_key, stream_id) VALUES (old.stream_id, fresh);
                END IF;
            END LOOP;
        END $$
        """,
    ]
