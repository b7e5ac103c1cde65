"""`RetentionFacts` over the PostgreSQL event store: ids, tenants, event types, the guardian and team ids in
child events, the teams' registers and the legal holds (all plaintext)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from rinnalla_events import SUBJECT_STREAM, ConnectionSource, SubjectErased

from rinnalla_enrollment.application.ports import ChildStatusFacts
from rinnalla_enrollment.domain import child, records, team
from rinnalla_enrollment.domain.events import ChildEnrolled, ChildTransferred

# The events that put a child in a team, and where they name it.
TEAM_EVENTS = (ChildEnrolled.event_type, ChildTransferred.event_type)


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
            memberships = await conn.fetch(
                f"""
                SELECT e.stream_id AS child_id, coalesce(e.payload->>'to_team_id', e.payload->>'team_id') AS team_id
                  FROM {events} e
                 WHERE e.stream_type = $1 AND e.event_type = ANY($2::text[])
                 ORDER BY e.position
                """,
                child.STREAM_TYPE, list(TEAM_EVENTS),
            )
        guardians: dict[str, set[str]] = {}
        for link in links:
            guardians.setdefault(link["child_id"], set()).add(link["guardian_id"])
        teams: dict[str, list[str]] = {}
        for membership in memberships:
            teams.setdefault(membership["child_id"], []).append(membership["team_id"])
        return [
            ChildStatusFacts(
                child_id=row["stream_id"],
                tenant=row["tenant"],
                status_event=row["event_type"],
                status_payload=_mapping(row["payload"]),
                guardian_ids=frozenset(guardians.get(row["stream_id"], ())),
                team_ids=frozenset(teams.get(row["stream_id"], ())),
                last_team_id=teams[row["stream_id"]][-1] if row["stream_id"] in teams else None,
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


    async def team_registers(self) -> Mapping[str, records.TeamRegisterRecorded]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"""
                SELECT DISTINCT ON (stream_id) stream_id, payload FROM {self._events}
                 WHERE stream_type = $1 AND event_type = $2
                 ORDER BY stream_id, version DESC
                """,
                team.STREAM_TYPE, records.TeamRegisterRecorded.event_type,
            )
        return {
            str(row["stream_id"]): records.TeamRegisterRecorded.model_validate(_mapping(row["payload"]))
            for row in rows
        }

    async def legal_holds(self) -> list[records.LegalHold]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT stream_id, event_type, payload FROM {self._events} WHERE stream_type = $1"
                " ORDER BY stream_id, version",
                records.HOLD_STREAM_TYPE,
            )
        return fold_holds((str(row["event_type"]), _mapping(row["payload"])) for row in rows)


def fold_holds(events: Iterable[tuple[str, Mapping[str, Any]]]) -> list[records.LegalHold]:
    """The holds from their streams' events (each stream's events in order, one stream after another)."""
    holds: dict[str, records.HoldState] = {}
    kinds = {cls.event_type: cls for cls in (records.LegalHoldPlaced, records.LegalHoldLifted)}
    for event_type, payload in events:
        kind = kinds.get(event_type)
        if kind is None:
            continue
        event = kind.model_validate(payload)
        hold_id = str(payload["hold_id"])
        holds[hold_id] = records.hold_evolve(holds.get(hold_id, records.hold_initial()), event)
    return [state.hold for _id, state in sorted(holds.items()) if state.hold is not None]


def _mapping(payload: Any) -> Mapping[str, Any]:
    """asyncpg hands jsonb over as text unless a codec is set on the connection."""
    data = payload if isinstance(payload, dict) else json.loads(payload)
    return data if isinstance(data, dict) else {}
