"""The application's ports answered from an in-memory event store, with the PostgreSQL adapters' meaning:
for pure tests of the erasure service and the retention job."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from rinnalla_enrollment.application.ports import ChildStatusFacts, ErasedSubject
from rinnalla_enrollment.domain import child, identity, records, team
from rinnalla_enrollment.persistence.retention_facts import TEAM_EVENTS, fold_holds
from rinnalla_events import SUBJECT_STREAM, Cursor, Envelope, InMemoryEventStore, SubjectErased


class InMemoryEventLog:
    """`SubjectDirectory`, `IdentityClaims` and `RetentionFacts` over an `InMemoryEventStore`."""

    def __init__(self, store: InMemoryEventStore) -> None:
        self._store = store
        self.index: dict[str, str] = {}  # the identity index's lookup table

    async def _log(self) -> list[Envelope]:
        found: list[Envelope] = []
        after = Cursor()
        while batch := await self._store.read_all(after):
            found.extend(stored.envelope for stored in batch)
            after = batch[-1].cursor
        return found

    async def _erasures(self) -> dict[str, Envelope]:
        erasures: dict[str, Envelope] = {}
        for e in await self._log():
            if e.stream_type == SUBJECT_STREAM and e.event_type == SubjectErased.event_type:
                erasures.setdefault(e.stream_id, e)
        return erasures

    # SubjectDirectory

    async def erased(self, subject_id: str) -> ErasedSubject | None:
        found = (await self._erasures()).get(subject_id)
        if found is None:
            return None
        return ErasedSubject(subject_id, str(found.payload["subject_kind"]), found.tenant, found.occurred_at)

    async def child_tenant(self, child_id: str) -> str | None:
        tenants = [e.tenant for e in await self._log() if _is_child(e, child_id) and e.tenant is not None]
        return tenants[0] if tenants else None

    async def guardian_tenants(self, guardian_id: str) -> frozenset[str]:
        return frozenset(
            e.tenant
            for e in await self._log()
            if _is_child(e) and e.tenant is not None and guardian_id in _guardian_ids(e.payload)
        )

    # IdentityClaims

    async def stream_of(self, lookup_key: str) -> str:
        return self.index.setdefault(lookup_key, str(uuid.uuid4()))

    async def forget(self, stream_ids: Collection[str]) -> int:
        gone = [k for k, v in self.index.items() if v in stream_ids]
        for k in gone:
            del self.index[k]
        return len(gone)

    async def claimed_by(self, child_id: str) -> list[str]:
        return sorted(
            {
                e.stream_id
                for e in await self._log()
                if e.stream_type == identity.STREAM_TYPE
                and e.event_type == identity.IdentityClaimed.event_type
                and e.payload.get("child_id") == child_id
            }
        )

    # RetentionFacts

    async def children(self, status_events: Collection[str]) -> list[ChildStatusFacts]:
        log, erased = await self._log(), await self._erasures()
        latest: dict[str, Envelope] = {}
        guardians: dict[str, set[str]] = {}
        teams: dict[str, list[str]] = {}
        for e in log:
            if not _is_child(e):
                continue
            guardians.setdefault(e.stream_id, set()).update(_guardian_ids(e.payload))
            if e.event_type in TEAM_EVENTS:
                teams.setdefault(e.stream_id, []).append(str(e.payload.get("to_team_id") or e.payload["team_id"]))
            if e.event_type in status_events and e.stream_id not in erased:
                latest[e.stream_id] = e
        return [
            ChildStatusFacts(
                e.stream_id, e.tenant, e.event_type, e.payload, frozenset(guardians[e.stream_id]),
                frozenset(teams.get(e.stream_id, ())), (teams.get(e.stream_id) or [None])[-1],
            )
            for _child_id, e in sorted(latest.items())
        ]

    async def team_registers(self) -> dict[str, records.TeamRegisterRecorded]:
        return {
            e.stream_id: records.TeamRegisterRecorded.model_validate(e.payload) for e in await self._log()
            if e.stream_type == team.STREAM_TYPE and e.event_type == records.TeamRegisterRecorded.event_type
        }

    async def legal_holds(self) -> list[records.LegalHold]:
        return fold_holds(
            (e.event_type, e.payload) for e in await self._log() if e.stream_type == records.HOLD_STREAM_TYPE
        )

    async def erased_subjects(self) -> frozenset[str]:
        return frozenset(await self._erasures())


def _is_child(e: Envelope, child_id: str | None = None) -> bool:
    return e.stream_type == child.STREAM_TYPE and (child_id is None or e.stream_id == child_id)


def _guardian_ids(payload: dict[str, Any]) -> set[str]:
    listed = payload.get("guardians")
    if not isinstance(listed, list):
        return set()
    return {str(g["guardian_id"]) for g in listed if isinstance(g, dict) and "guardian_id" in g}
