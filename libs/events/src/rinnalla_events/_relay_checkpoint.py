"""Where the relay has got to: its checkpoint row, and the log position of an event found in the stream."""

from __future__ import annotations

from uuid import UUID

from rinnalla_events._connections import ConnectionSource
from rinnalla_events._ddl import check_schema_name
from rinnalla_events._store import Cursor


class RelayCheckpoint:
    """The row `name` of `{schema}.checkpoints`: the last event JetStream acknowledged to the relay."""

    def __init__(self, connections: ConnectionSource, schema: str, name: str) -> None:
        self._connections = connections
        self._schema = check_schema_name(schema)
        self.name = name

    async def load(self) -> Cursor:
        async with self._connections.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT tx_id::text::bigint AS tx, position FROM {self._schema}.checkpoints WHERE name = $1",
                self.name,
            )
        return Cursor(row["tx"], row["position"]) if row is not None else Cursor()

    async def save(self, cursor: Cursor) -> None:
        async with self._connections.acquire() as conn:
            await conn.execute(
                f"INSERT INTO {self._schema}.checkpoints (name, tx_id, position) VALUES ($1, $2::text::xid8, $3)"
                " ON CONFLICT (name) DO UPDATE"
                " SET tx_id = excluded.tx_id, position = excluded.position, updated_at = now()",
                self.name,
                str(cursor.tx),
                cursor.position,
            )

    async def cursor_of(self, event_id: UUID) -> Cursor | None:
        """The log position of a stored event, or None if this store never had it."""
        async with self._connections.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT tx_id::text::bigint AS tx, position FROM {self._schema}.events WHERE event_id = $1",
                event_id,
            )
        return Cursor(row["tx"], row["position"]) if row is not None else None
