"""`RetentionFacts` over the PostgreSQL event store: ids, tenants, event types and the guardian ids in
child events (all plaintext)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from rinnalla_events import SUBJECT_STREAM, ConnectionSource, SubjectErased

from rinnalla_enrollment.application.ports import ChildStatusFacts
from rinnalla_enrollment.domain import child


class PostgresRetentionFacts:
    def __init__(self, connections: ConnectionSource, schema: str) -> None:
        self._connections = connections
        self._events = f"{schema}.events"

    async def children(self, status_events: Collection[str]) -> list[ChildStatusFacts]:
        events = self._events
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"""
                SELECT DISTINCT ON (e.stream_id) e.stream_id, e.tenant, e.event_type, e.payload
                  FROM {events} e
                 WHERE e.stream_type = $1 AND e.event_type = ANY($2::text[])
                   AND NOT EXISTS (SELECT 1 FROM {events} s
                                    WHERE s.stream_type = $3 AND s.stream_id = e.stream_id
                                      AND s.event_type = $4)
                 ORDER BY e.stream_id, e.version DESC
                """,
                child.STREAM_TYPE, list(status_events), SUBJECT_STREAM, SubjectErased.event_type,
            )
            links = await conn.fetch(
                f"""
                SELECT DISTINCT e.stream_id AS child_id, g->>'guardian_id' AS guardian_id
                  FROM {events} e, jsonb_array_elements(e.payload->'guardians') g
                 WHERE e.stream_type = $1 AND jsonb_typeof(e.payload->'guardians') = 'array'
                """,
                child.STREAM_TYPE,
            )
        guardians: dict[str, set[str]] = {}
        for link in links:
            guardians.setdefault(link["child_id"], set()).add(link["guardian_id"])
        return [
            ChildStatusFacts(
                child_id=row["stream_id"],
                tenant=row["tenant"],
                status_event=row["event_type"],
                status_payload=_mapping(row["payload"]),
                guardian_ids=frozenset(guardians.get(row["stream_id"], ())),
            )
            for row in rows
        ]

    async def erased_subjects(self) -> frozenset[str]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT stream_id FROM {self._events} WHERE stream_type = $1 AND event_type = $2",
                SUBJECT_STREAM, SubjectErased.event_type,
            )
        return frozenset(str(row["stream_id"]) for row in rows)


def _mapping(payload: Any) -> Mapping[str, Any]:
    """asyncpg hands jsonb over as text unless a codec is set on the connection."""
    data = payload if isinstance(payload, dict) else json.loads(payload)
    return data if isinstance(data, dict) else {}
