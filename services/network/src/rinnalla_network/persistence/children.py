"""The application's `ChildDirectory` over the network's projection of enrollment (its stable views)."""

from __future__ import annotations

import json
from typing import Any

import rinnalla_consent as consent
from pydantic import TypeAdapter
from rinnalla_events import ConnectionSource

from rinnalla_network.domain.referral import ChildRecord, GuardianRecord

FACT_TYPES: dict[str, type[Any]] = {
    kind.__name__: kind
    for kind in (
        consent.SubjectRegistered, consent.GuardiansChanged, consent.ConsentGiven, consent.ConsentRefused,
        consent.ConsentWithdrawn, consent.ConsentExpired, consent.MinorProhibitionRecorded,
        consent.MinorProhibitionLifted, consent.MinorUnderstandingAssessed, consent.CustodyExceptionRecorded,
    )
}
_ADAPTERS = {name: TypeAdapter(kind) for name, kind in FACT_TYPES.items()}


def read_fact(kind: str, fact: str | dict[str, Any]) -> consent.ConsentFact | None:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        return None
    data = json.loads(fact) if isinstance(fact, str) else fact
    parsed: consent.ConsentFact = adapter.validate_python(data)
    return parsed


class ProjectedChildren:
    def __init__(self, connections: ConnectionSource, read_schema: str) -> None:
        self.connections = connections
        self.read_schema = read_schema

    async def child(self, child_id: str) -> ChildRecord | None:
        async with self.connections.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT * FROM {self.read_schema}.children WHERE child_id = $1 AND enrolled", child_id
            )
        if row is None:
            return None
        guardians = json.loads(row["guardians"]) if isinstance(row["guardians"], str) else row["guardians"]
        return ChildRecord(
            child_id=row["child_id"], team_id=row["team_id"], municipality_code=row["municipality_code"],
            given_names=row["given_names"], family_name=row["family_name"], date_of_birth=row["date_of_birth"],
            hetu=row["hetu"], exited=row["exited"],
            guardians=tuple(
                GuardianRecord(guardian_id=g["guardian_id"], name=g["name"], phone=g["phone"], email=g["email"])
                for g in guardians
            ),
        )

    async def consent_view(self, child_id: str) -> consent.ConsentView:
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT kind, fact FROM {self.read_schema}.consent_facts WHERE child_id = $1 ORDER BY version, idx",
                child_id,
            )
        facts = [fact for fact in (read_fact(row["kind"], row["fact"]) for row in rows) if fact is not None]
        return consent.fold(facts)

    async def mentored_teams(self, mentor_id: str) -> frozenset[str]:
        """The teams this person mentors now (assigned and not left)."""
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT team_id FROM {self.read_schema}.team_mentors WHERE mentor_id = $1 AND left_on IS NULL",
                mentor_id,
            )
        return frozenset(row["team_id"] for row in rows)
