"""The audit-log port: what services and the audit API need from an access/disclosure log."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from rinnalla_security.audit.chain import ChainHead, ChainReport
from rinnalla_security.audit.entries import AccessEntry, DisclosureEntry, StoredAccess, StoredDisclosure

LogName = Literal["access", "disclosure"]


class AuditLog(Protocol):
    """Append-only access and disclosure logs with a tamper-evident hash chain.

    `conn`, when given, is the caller's own database connection: the entry is then written in the caller's
    transaction (commits or rolls back with the data change it describes).
    """

    async def record_accesses(self, entries: Sequence[AccessEntry], *, conn: Any = None) -> list[StoredAccess]: ...

    async def record_disclosures(
        self, entries: Sequence[DisclosureEntry], *, conn: Any = None
    ) -> list[StoredDisclosure]: ...

    async def accesses_for_subject(
        self, subject_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredAccess]: ...

    async def disclosures_for_subject(
        self, subject_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredDisclosure]: ...

    async def accesses_by_actor(
        self, actor_id: str, *, since: datetime, until: datetime | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[StoredAccess]: ...

    async def verify(
        self, log: LogName, *, anchor: ChainHead | None = None, anchors: Iterable[ChainHead] = ()
    ) -> ChainReport:
        """The chain checked row by row, and against heads recorded outside the database (`anchors`)."""
        ...

    async def head(self, log: LogName) -> ChainHead | None: ...
