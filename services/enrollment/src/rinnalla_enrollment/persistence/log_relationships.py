"""Who stands in a relationship with whom, answered from the event store (`RelationshipSource`), for commands.

A command must follow the log up to its own last write: a mentor assigned a moment ago may record that a
child's guardians were informed at once, and one who left may not, whatever the read model shows yet.
Mentor assignments are read from the team streams' plaintext payloads; guardianships from the child
streams that name the person, each folded (and decrypted) to its current guardians and date of birth.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from rinnalla_events import ConnectionSource, EventStore, load
from rinnalla_security import Relationship, guardianship, mentorship

from rinnalla_enrollment.application.deciders import CHILD
from rinnalla_enrollment.domain import child, team
from rinnalla_enrollment.domain.events import MentorAssigned, MentorLeft


class EventStoreRelationships:
    def __init__(self, connections: ConnectionSource, schema: str, store: EventStore) -> None:
        self._connections = connections
        self._events = f"{schema}.events"
        self._store = store

    async def relationships_of(self, person_id: str) -> Sequence[Relationship]:
        return [*await self._assignments(person_id), *await self._custody(person_id)]

    async def _assignments(self, mentor_id: str) -> list[Relationship]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT stream_id, event_type, payload->>'left_on' AS left_on FROM {self._events}"
                " WHERE stream_type = $1 AND event_type = ANY($2::text[]) AND payload->>'mentor_id' = $3"
                " ORDER BY position",
                team.STREAM_TYPE, [MentorAssigned.event_type, MentorLeft.event_type], mentor_id,
            )
        # team id -> the day each assignment ended (None: open), oldest first; a departure ends the open one
        periods: dict[str, list[date | None]] = {}
        for row in rows:
            ends = periods.setdefault(row["stream_id"], [])
            if row["event_type"] == MentorAssigned.event_type:
                ends.append(None)
            elif ends and ends[-1] is None:
                ends[-1] = date.fromisoformat(row["left_on"])
        return [mentorship(mentor_id, team_id, left_on) for team_id, ends in periods.items() for left_on in ends]

    async def _custody(self, guardian_id: str) -> list[Relationship]:
        probe = json.dumps([{"guardian_id": guardian_id}])
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT DISTINCT stream_id FROM {self._events} WHERE stream_type = $1"
                " AND payload->'guardians' @> $2::jsonb",
                child.STREAM_TYPE, probe,
            )
        found = []
        for row in rows:  # named once is not named now: the child's current guardians decide
            state, _version = await load(self._store, CHILD, row["stream_id"])
            if guardian_id in state.guardian_ids:
                found.append(guardianship(guardian_id, row["stream_id"], state.date_of_birth))
        return found
