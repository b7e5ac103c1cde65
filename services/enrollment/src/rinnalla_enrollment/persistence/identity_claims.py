"""`IdentityClaims` over the PostgreSQL event store: `IdentityClaimed` events carry the child id in plain text."""

from __future__ import annotations

from rinnalla_events import ConnectionSource

from rinnalla_enrollment.domain import identity


class PostgresIdentityClaims:
    def __init__(self, connections: ConnectionSource, schema: str) -> None:
        self._connections = connections
        self._events = f"{schema}.events"

    async def claimed_by(self, child_id: str) -> list[str]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT DISTINCT stream_id FROM {self._events} WHERE stream_type = $1"
                " AND event_type = $2 AND payload->>'child_id' = $3 ORDER BY stream_id",
                identity.STREAM_TYPE, identity.IdentityClaimed.event_type, child_id,
            )
        return [str(row["stream_id"]) for row in rows]
