"""Load, decide, append for commands that touch one or several streams, all or nothing.

The domain's workflows decide for two or three aggregates at once (an enrolment changes the child and
the team). The event store appends one stream per statement, so the writer appends every stream in
one transaction on one connection. Streams are locked (transaction-scoped advisory locks, in a fixed
order) only for the append: the state was loaded before, without locks, and the append checks each
stream's version, so a writer that lost the race gets `ConcurrencyConflict` and writes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rinnalla_events.codec import EventCodec
from rinnalla_events.connections import ConnectionSource
from rinnalla_events.envelope import EventMetadata
from rinnalla_events.handling import Decider, load
from rinnalla_events.store import AppendResult, PostgresEventStore

from rinnalla_enrollment.domain.workflows import StreamEvents

State = TypeVar("State")


@dataclass(frozen=True)
class Loaded(Generic[State]):
    stream_type: str
    stream_id: str
    state: State
    version: int


@dataclass(frozen=True)
class Outcome:
    """What a command did: the stored result (the same on a retry) and whether this was a retry."""

    result: dict[str, Any]
    replayed: bool = False
    changed: bool = True


class _OneConnection:
    """A connection source that always lends the same connection (the writer's transaction)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        yield self._conn


@dataclass
class Idempotency:
    key: str
    fingerprint: str


@dataclass
class CommandWriter:
    """One command's writes. Build one per command: it remembers the versions it loaded."""

    connections: ConnectionSource
    schema: str
    codec: EventCodec
    metadata: EventMetadata
    idempotency: Idempotency | None = None
    _versions: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def store(self) -> PostgresEventStore:
        return PostgresEventStore(self.connections, self.schema, self.codec)

    async def previous(self) -> Outcome | None:
        """The outcome of an earlier run of this command (same key); `IdempotencyKeyReused` for another body."""
        if self.idempotency is None:
            return None
        found = await self.store.previous_result(self.idempotency.key, self.idempotency.fingerprint)
        return _replayed(found) if found is not None else None

    async def load(self, decider: Decider[State, Any], stream_id: str) -> Loaded[State]:
        state, version = await load(self.store, decider, stream_id)
        self._versions[(decider.stream_type, stream_id)] = version
        return Loaded(decider.stream_type, stream_id, state, version)

    async def commit(self, changes: Sequence[StreamEvents], result: dict[str, Any], *, tenant: str) -> Outcome:
        """Append every stream's events in one transaction, with the versions loaded; `tenant` is the
        municipality the records belong to."""
        metadata = self.metadata.model_copy(update={"tenant": tenant})
        if not changes:
            return Outcome(result=result, changed=False)
        async with self.connections.acquire() as conn, conn.transaction():
            for stream_type, stream_id in sorted({(c.stream_type, c.stream_id) for c in changes}):
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext($1))", f"{self.schema}:{stream_type}:{stream_id}"
                )
            store = PostgresEventStore(_OneConnection(conn), self.schema, self.codec)
            if self.idempotency is not None:
                # A twin of this request may have committed while we decided: its result stands.
                found = await store.previous_result(self.idempotency.key, self.idempotency.fingerprint)
                if found is not None:
                    return _replayed(found)
            for index, change in enumerate(changes):
                keyed = self.idempotency if index == 0 else None
                appended = await store.append(
                    change.stream_type,
                    change.stream_id,
                    list(change.events),
                    expected_version=self._versions.get((change.stream_type, change.stream_id), 0),
                    metadata=metadata,
                    idempotency_key=keyed.key if keyed else None,
                    request_fingerprint=keyed.fingerprint if keyed else None,
                    result=result if keyed else None,
                )
                if appended.duplicate:  # pragma: no cover - the check above under the locks sees it first
                    return _replayed(appended)
        return Outcome(result=result)


def _replayed(found: AppendResult) -> Outcome:
    return Outcome(result=dict(found.result or {}), replayed=True)
