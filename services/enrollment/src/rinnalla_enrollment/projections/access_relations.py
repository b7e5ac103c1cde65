"""Who stands in a relationship with whom, answered from the read model (`RelationshipSource`).

Eventually consistent with the log: the worker applies new events within moments, so a mentor assigned a
moment ago reaches the team's views once the read model shows the assignment. Commands ask the event store
instead (`persistence.log_relationships`), so that they read their own writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rinnalla_events import ConnectionSource
from rinnalla_security import Relationship, guardianship, mentorship

from rinnalla_enrollment.projections.tables import READ_SCHEMA

S = READ_SCHEMA


class ReadModelRelationships:
    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    async def relationships_of(self, person_id: str) -> Sequence[Relationship]:
        async with self._connections.acquire() as conn:
            assignments = await conn.fetch(
                f"SELECT team_id, ended_on FROM {S}.team_mentors WHERE mentor_id = $1", person_id
            )
            custody = await conn.fetch(
                f"SELECT g.child_id, c.born_on FROM {S}.guardians g JOIN {S}.children c ON c.child_id = g.child_id"
                " WHERE g.guardian_id = $1",
                person_id,
            )
        return [
            *(mentorship(person_id, row["team_id"], row["ended_on"]) for row in assignments),
            *(guardianship(person_id, row["child_id"], row["born_on"]) for row in custody),
        ]
