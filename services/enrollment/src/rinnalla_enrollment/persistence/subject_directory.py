"""`SubjectDirectory` over the PostgreSQL event store: plaintext columns and plaintext ids in payloads."""

from __future__ import annotations

import json

from rinnalla_events import SUBJECT_STREAM, ConnectionSource, SubjectErased

from rinnalla_enrollment.application.ports import ErasedSubject
from rinnalla_enrollment.domain import child


class PostgresSubjectDirectory:
    def __init__(self, connections: ConnectionSource, schema: str) -> None:
        self._connections = connections
        self._events = f"{schema}.events"

    async def erased(self, subject_id: str) -> ErasedSubject | None:
        async with self._connections.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT tenant, occurred_at, payload->>'subject_kind' AS kind FROM {self._events}"
                " WHERE stream_type = $1 AND stream_id = $2 AND event_type = $3 ORDER BY version LIMIT 1",
                SUBJECT_STREAM, subject_id, SubjectErased.event_type,
            )
        if row is None:
            return None
        return ErasedSubject(subject_id, str(row["kind"]), row["tenant"], row["occurred_at"])

    async def child_tenant(self, child_id: str) -> str | None:
        async with self._connections.acquire() as conn:
            tenant = await conn.fetchval(
                f"SELECT tenant FROM {self._events} WHERE stream_type = $1 AND stream_id = $2"
                " AND tenant IS NOT NULL ORDER BY version LIMIT 1",
                child.STREAM_TYPE, child_id,
            )
        return None if tenant is None else str(tenant)

    async def guardian_tenants(self, guardian_id: str) -> frozenset[str]:
        probe = json.dumps([{"guardian_id": guardian_id}])
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT DISTINCT tenant FROM {self._events} WHERE stream_type = $1 AND tenant IS NOT NULL"
                " AND payload->'guardians' @> $2::jsonb",
                child.STREAM_TYPE, probe,
            )
        return frozenset(str(row["tenant"]) for row in rows)
