"""The audit log in PostgreSQL (asyncpg), in the `audit` schema installed by `install_audit_schema`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
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
from rinnalla_security.audit.schema import ACCESS_CHAIN_LOCK_KEY, DISCLOSURE_CHAIN_LOCK_KEY

StoredT = TypeVar("StoredT", bound=_Stored)


@dataclass(frozen=True)
class _Table:
    name: str
    lock_key: int
    entry: type[_Entry]
    stored: type[_Stored]

    @property
    def columns(self) -> list[str]:
        return list(self.stored.model_fields)


_TABLES: dict[LogName, _Table] = {
    "access": _Table("audit.access_log", ACCESS_CHAIN_LOCK_KEY, AccessEntry, StoredAccess),
    "disclosure": _Table("audit.disclosure_log", DISCLOSURE_CHAIN_LOCK_KEY, DisclosureEntry, StoredDisclosure),
}


class PostgresAuditLog:
    """Implements `AuditLog` on an asyncpg pool. `service` names the writing service in every row.

    `chain_key`: the HMAC key of the chain (`derive_chain_key`). With it, rows are appended keyed (format 2)
    and keyed rows can be verified; without it (tests, tools), rows are appended in the unkeyed format 1."""

    def __init__(self, pool: Any, *, service: str, chain_key: bytes | None = None) -> None:
        self._pool = pool
        self._service = service
        self._key = chain_key
        self._format = next_format(chain_key)

    async def record_accesses(self, entries: Sequence[AccessEntry], *, conn: Any = None) -> list[StoredAccess]:
        return await self._append(_TABLES["access"], entries, StoredAccess, conn)

    async def record_disclosures(
        self, entries: Sequence[DisclosureEntry], *, conn: Any = None
    ) -> list[StoredDisclosure]:
        return await self._append(_TABLES["disclosure"], entries, StoredDisclosure, conn)

    async def _append(
        self, table: _Table, entries: Sequence[_Entry], stored: type[StoredT], conn: Any
    ) -> list[StoredT]:
        if not entries:
            return []
        if conn is None:
            async with self._pool.acquire() as own:
                return await self._append_on(own, table, entries, stored)
        return await self._append_on(conn, table, entries, stored)

    async def _append_on(
        self, conn: Any, table: _Table, entries: Sequence[_Entry], stored: type[StoredT]
    ) -> list[StoredT]:
        # Inside the caller's transaction this is a savepoint, and the lock below lasts until the caller's
        # commit: keep audit appends near the end of long transactions.
        async with conn.transaction():
            # Appending reads the chain head and writes the row that points at it. Two writers doing that at
            # once would both read the same head and fork the chain (the seq primary key would then reject
            # one of them with an error the caller cannot do anything about). A transaction-scoped advisory
            # lock makes "read head, insert next" one step per chain: it is released by commit or rollback,
            # so a crashed writer cannot leave it held, and it locks nothing else. The head is read in a new
            # statement after the lock is granted, so under READ COMMITTED it sees the previous holder's
            # committed row. (Callers must not pass a REPEATABLE READ / SERIALIZABLE transaction that has
            # already read: its older snapshot would miss that row and the primary key would reject the append.)
            await conn.execute("SELECT pg_advisory_xact_lock($1)", table.lock_key)
            head = await conn.fetchrow(
                f"SELECT clock_timestamp() AS now, (SELECT seq FROM {table.name} ORDER BY seq DESC LIMIT 1) AS seq,"
                f" (SELECT row_hash FROM {table.name} ORDER BY seq DESC LIMIT 1) AS row_hash"
            )
            seq = head["seq"] or 0
            prev_hash = head["row_hash"] or GENESIS_HASH
            rows: list[StoredT] = []
            for entry in entries:
                seq += 1
                content = {"seq": seq, "occurred_at": head["now"], "service": self._service, **entry.model_dump()}
                row_hash = row_hash_for(self._format, self._key, prev_hash, content)
                rows.append(stored.model_validate({**content, "prev_hash": prev_hash, "row_hash": row_hash}))
                prev_hash = row_hash
            columns = [*table.columns, "chain_format"]
            placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            await conn.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})",
                [_db_row({**row.model_dump(), "chain_format": self._format}, columns) for row in rows],
            )
            return rows

    async def _select(
        self,
        table: _Table,
        stored: type[StoredT],
        where_column: str,
        value: str,
        since: datetime,
        until: datetime | None,
        tenants: Collection[str] | None,
    ) -> list[StoredT]:
        conditions = [f"{where_column} = $1", "occurred_at >= $2"]
        args: list[Any] = [value, since]
        if until is not None:
            args.append(until)
            conditions.append(f"occurred_at < ${len(args)}")
        if tenants is not None:
            args.append(sorted(tenants))
            conditions.append(f"tenants && ${len(args)}::text[]")
        query = (
            f"SELECT {', '.join(table.columns)} FROM {table.name}"
            f" WHERE {' AND '.join(conditions)} ORDER BY seq"
        )
        async with self._pool.acquire() as conn:
            records = await conn.fetch(query, *args)
        return [stored.model_validate(dict(record)) for record in records]

    async def accesses_for_subject(
        self, subject_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredAccess]:
        return await self._select(_TABLES["access"], StoredAccess, "subject_id", subject_id, since, until, tenants)

    async def disclosures_for_subject(
        self, subject_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredDisclosure]:
        return await self._select(
            _TABLES["disclosure"], StoredDisclosure, "subject_id", subject_id, since, until, tenants
        )

    async def accesses_by_actor(
        self, actor_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredAccess]:
        return await self._select(_TABLES["access"], StoredAccess, "actor_id", actor_id, since, until, tenants)

    async def verify(
        self, log: LogName, *, anchor: ChainHead | None = None, anchors: Iterable[ChainHead] = ()
    ) -> ChainReport:
        """Walk the whole chain in order; reports modified rows, deleted rows, and against the heads recorded
        outside the database (`anchors`, `anchor`) a lost tail or a re-chained rewrite."""
        table = _TABLES[log]
        checker = ChainChecker(log, anchor, key=self._key, anchors=anchors)
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            query = f"SELECT {', '.join(table.columns)}, chain_format FROM {table.name} ORDER BY seq"
            async for record in conn.cursor(query, prefetch=1000):
                checker.feed(dict(record))
        return checker.report()

    async def head(self, log: LogName) -> ChainHead | None:
        """The latest row's place in the chain: store it outside the database to detect a rewritten tail."""
        table = _TABLES[log]
        async with self._pool.acquire() as conn:
            record = await conn.fetchrow(
                f"SELECT seq, row_hash FROM {table.name} ORDER BY seq DESC LIMIT 1"
            )
        return None if record is None else ChainHead(record["seq"], record["row_hash"])


def _db_row(values: dict[str, Any], columns: list[str]) -> list[Any]:
    return [list(values[c]) if isinstance(values[c], tuple) else values[c] for c in columns]
