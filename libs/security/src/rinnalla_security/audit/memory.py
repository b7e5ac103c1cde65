"""An in-memory audit log with the same behaviour as the PostgreSQL one (hash chain included), for unit
tests of services and for local demos. Not durable: never use it where the law asks for a log."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from rinnalla_security.audit.chain import (
    GENESIS_HASH,
    ChainChecker,
    ChainHead,
    ChainReport,
    next_format,
    row_hash_for,
)
from rinnalla_security.audit.entries import (
    AccessEntry,
    DisclosureEntry,
    StoredAccess,
    StoredDisclosure,
    _Entry,
    _Stored,
)
from rinnalla_security.audit.log import LogName

StoredT = TypeVar("StoredT", bound=_Stored)


class MemoryAuditLog:
    def __init__(self, *, service: str = "test", chain_key: bytes | None = None) -> None:
        self._service = service
        self._key = chain_key
        self.chain_format = next_format(chain_key)
        self.accesses: list[StoredAccess] = []
        self.disclosures: list[StoredDisclosure] = []

    def _chain(self, existing: list[StoredT], entries: Sequence[_Entry], stored: type[StoredT]) -> list[StoredT]:
        prev_hash = existing[-1].row_hash if existing else GENESIS_HASH
        seq = existing[-1].seq if existing else 0
        now = datetime.now(UTC)
        rows: list[StoredT] = []
        for entry in entries:
            seq += 1
            content = {"seq": seq, "occurred_at": now, "service": self._service, **entry.model_dump()}
            row_hash = row_hash_for(self.chain_format, self._key, prev_hash, content)
            rows.append(stored.model_validate({**content, "prev_hash": prev_hash, "row_hash": row_hash}))
            prev_hash = row_hash
        existing.extend(rows)
        return rows

    async def record_accesses(self, entries: Sequence[AccessEntry], *, conn: Any = None) -> list[StoredAccess]:
        return self._chain(self.accesses, entries, StoredAccess)

    async def record_disclosures(
        self, entries: Sequence[DisclosureEntry], *, conn: Any = None
    ) -> list[StoredDisclosure]:
        return self._chain(self.disclosures, entries, StoredDisclosure)

    @staticmethod
    def _matching(
        rows: Iterable[StoredT], field: str, value: str, since: datetime, until: datetime | None,
        tenants: Collection[str] | None,
    ) -> list[StoredT]:
        return [
            row
            for row in rows
            if getattr(row, field) == value
            and row.occurred_at >= since
            and (until is None or row.occurred_at < until)
            and (tenants is None or not set(getattr(row, "tenants", ())).isdisjoint(tenants))
        ]

    async def accesses_for_subject(
        self, subject_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredAccess]:
        return self._matching(self.accesses, "subject_id", subject_id, since, until, tenants)

    async def disclosures_for_subject(
        self, subject_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredDisclosure]:
        return self._matching(self.disclosures, "subject_id", subject_id, since, until, tenants)

    async def accesses_by_actor(
        self, actor_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredAccess]:
        return self._matching(self.accesses, "actor_id", actor_id, since, until, tenants)

    async def verify(
        self, log: LogName, *, anchor: ChainHead | None = None, anchors: Iterable[ChainHead] = ()
    ) -> ChainReport:
        checker = ChainChecker(log, anchor, key=self._key, anchors=anchors)
        rows: list[Any] = self.accesses if log == "access" else self.disclosures
        checker.feed_all({**row.model_dump(), "chain_format": self.chain_format} for row in rows)
        return checker.report()

    async def head(self, log: LogName) -> ChainHead | None:
        rows: list[Any] = self.accesses if log == "access" else self.disclosures
        return ChainHead(rows[-1].seq, rows[-1].row_hash) if rows else None
