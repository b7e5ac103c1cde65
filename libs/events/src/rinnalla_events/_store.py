"""The event store port and its PostgreSQL implementation.

Append is one round trip: a single statement checks the stream's head against the expected version
and inserts all events, so a conflicting writer either sees the head move (no row inserted) or hits
the (stream, version) unique constraint. Either way nothing is written and `ConcurrencyConflict` is
raised. An event whose published form would exceed the bus's message limit (`max_message_bytes`) is
refused before anything is written (`EventTooLarge`): the relay could never publish it. With an
idempotency key the key's row is inserted by the same statement: a repeated command returns the first
result and writes nothing.

Events are stored with the W3C trace context of the span current at append time (the HTTP request's,
the demo command's, the policy's consumer span), unless the caller's metadata already names one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from prometheus_client import CollectorRegistry, Counter

from rinnalla_events._bus_size import DEFAULT_MAX_MESSAGE_BYTES, EventTooLarge, jsonb_text_bytes, published_size_bound
from rinnalla_events._codec import EventCodec, RecordedEvent
from rinnalla_events._connections import ConnectionSource, PgConnection, PgRow
from rinnalla_events._ddl import check_schema_name
from rinnalla_events._envelope import Envelope, EventMetadata
from rinnalla_events._errors import ConcurrencyConflict, EventLogError
from rinnalla_events._event import DomainEvent
from rinnalla_events._ids import new_id
from rinnalla_events._notify import channel_for
from rinnalla_events._tracing import with_current_trace

NO_STREAM = 0


@dataclass(frozen=True, order=True)
class Cursor:
    """A reader's place in the log: (writing transaction, position). Zero is before the first event."""

    tx: int = 0
    position: int = 0


@dataclass(frozen=True)
class AppendResult:
    stream_type: str
    stream_id: str
    first_version: int
    last_version: int
    event_ids: tuple[UUID, ...]
    duplicate: bool = False
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class StreamWrite:
    """Events for one stream, to be appended if the stream is still at `expected_version`."""

    stream_type: str
    stream_id: str
    events: Sequence[DomainEvent]
    expected_version: int


class IdempotencyKeyReused(EventLogError):
    """The same idempotency key came with a different request."""


@dataclass(frozen=True)
class StoredEvent:
    cursor: Cursor
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class WireEvent:
    """A stored event as the relay sends it: the envelope's JSON, rendered by PostgreSQL, plus what the
    relay needs for the subject and headers. Skips building and re-serialising an `Envelope` per event."""

    cursor: Cursor
    event_id: str
    stream_type: str
    stream_id: str
    event_type: str
    schema_version: int
    tenant: str | None
    traceparent: str | None
    tracestate: str | None
    body: bytes


class EventStore(Protocol):
    codec: EventCodec

    async def append(
        self,
        stream_type: str,
        stream_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
        metadata: EventMetadata,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult: ...

    async def append_streams(
        self,
        writes: Sequence[StreamWrite],
        *,
        metadata: EventMetadata,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> list[AppendResult]:
        """Several streams at once, all or nothing; a twin of a keyed request gets `[previous]` (duplicate)."""
        ...

    async def read_stream(self, stream_type: str, stream_id: str, *, after_version: int = 0) -> list[RecordedEvent]: ...

    async def stream_version(self, stream_type: str, stream_id: str) -> int: ...

    async def previous_result(self, idempotency_key: str, request_fingerprint: str | None) -> AppendResult | None: ...

    async def read_all(self, after: Cursor, limit: int = 1000) -> list[StoredEvent]: ...

    async def count_after(self, after: Cursor) -> int: ...


def fingerprint(data: Any) -> str:
    """A stable hash of a request, to tell a retried command from a different one under the same key."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class _Prepared:
    ids: list[UUID] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)


class PostgresEventStore:
    def __init__(
        self,
        connections: ConnectionSource,
        schema: str,
        codec: EventCodec,
        *,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        registry: CollectorRegistry | None = None,
        service: str | None = None,
        wake_relay: bool = False,
    ) -> None:
        """`wake_relay`: after each append commits, NOTIFY the relay's channel (`channel_for(schema)`).

        The NOTIFY runs in a transaction of its own that does not wait for its commit record to reach the
        disk, so appends keep group commit; a NOTIFY inside the append's transaction (the trigger of
        `install_notify_trigger`) holds a database-wide lock through the commit's flush and serialises every
        notifying writer (ADR 0007). A lost notification only delays the relay to its next poll.
        """
        if max_message_bytes < 1:
            raise ValueError("max_message_bytes must be positive")
        self._connections = connections
        self.schema = check_schema_name(schema)
        self.codec = codec
        self.max_message_bytes = max_message_bytes
        self._service = service or self.schema
        # counted in `registry` when given (the API's): events committed, by service and event type
        self._appended = (
            Counter(
                "rinnalla_events_appended",
                "Events committed to the service's event store, by event type",
                ["service", "event_type"],
                registry=registry,
            )
            if registry is not None
            else None
        )
        self._wake_sql = (
            f"BEGIN; SET LOCAL synchronous_commit TO off; SELECT pg_notify('{channel_for(self.schema)}', ''); COMMIT"
            if wake_relay
            else None
        )
        self._wake_in_transaction_sql = f"SELECT pg_notify('{channel_for(self.schema)}', '')"
        s = self.schema
        self._append_sql = f"""
            WITH head AS (
                SELECT coalesce(max(version), 0) AS v FROM {s}.events WHERE stream_type = $1 AND stream_id = $2
            )
            INSERT INTO {s}.events (event_id, stream_type, stream_id, version, event_type, schema_version,
                                    occurred_at, tenant, actor, correlation_id, causation_id, traceparent,
                                    tracestate, payload)
            SELECT e.id, $1, $2, $3 + e.n, e.type, e.sv, $7, $8, $9, $10, $11, $12, $13, e.payload::jsonb
              FROM unnest($4::uuid[], $5::text[], $6::text[], $14::int[])
                   WITH ORDINALITY AS e(id, type, payload, sv, n)
             WHERE (SELECT v FROM head) = $3
            RETURNING version
        """
        self._append_idempotent_sql = f"""
            WITH head AS (
                SELECT coalesce(max(version), 0) AS v FROM {s}.events WHERE stream_type = $1 AND stream_id = $2
            ), claim AS (
                INSERT INTO {s}.idempotency (key, request_hash, stream_type, stream_id, first_version,
                                             last_version, event_ids, result)
                SELECT $15, $16, $1, $2, $3 + 1, $3 + cardinality($4::uuid[]), $4, $17::jsonb
                 WHERE (SELECT v FROM head) = $3
                ON CONFLICT (key) DO NOTHING
                RETURNING key
            )
            INSERT INTO {s}.events (event_id, stream_type, stream_id, version, event_type, schema_version,
                                    occurred_at, tenant, actor, correlation_id, causation_id, traceparent,
                                    tracestate, payload)
            SELECT e.id, $1, $2, $3 + e.n, e.type, e.sv, $7, $8, $9, $10, $11, $12, $13, e.payload::jsonb
              FROM unnest($4::uuid[], $5::text[], $6::text[], $14::int[])
                   WITH ORDINALITY AS e(id, type, payload, sv, n)
             WHERE EXISTS (SELECT 1 FROM claim)
            RETURNING version
        """
        self._columns = _ENVELOPE_COLUMNS

    async def _wake_relay(self, conn: PgConnection) -> None:
        """Tell the relay that events committed (see `__init__`); never fails an append that committed."""
        if self._wake_sql is None:
            return
        in_transaction = getattr(conn, "is_in_transaction", None)
        try:
            if callable(in_transaction) and in_transaction():
                # a caller's transaction: the notification goes out when (and if) it commits
                await conn.execute(self._wake_in_transaction_sql)
            else:
                await conn.execute(self._wake_sql)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            pass  # the relay's poll finds the events anyway

    async def append(
        self,
        stream_type: str,
        stream_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
        metadata: EventMetadata,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult:
        if not events:
            raise ValueError("append needs at least one event")
        metadata = with_current_trace(metadata)
        prepared = _Prepared()
        for event in events:
            prepared.ids.append(new_id())
            prepared.types.append(event.event_type)
            prepared.versions.append(event.schema_version)
            prepared.payloads.append(await self._encoded(stream_type, stream_id, event, metadata))
        occurred = metadata.occurred_at or datetime.now(UTC)
        correlation = metadata.correlation_id or prepared.ids[0]
        args: list[Any] = [
            stream_type,
            stream_id,
            expected_version,
            prepared.ids,
            prepared.types,
            prepared.payloads,
            occurred,
            metadata.tenant,
            metadata.actor,
            correlation,
            metadata.causation_id,
            metadata.traceparent,
            metadata.tracestate,
            prepared.versions,
        ]
        sql = self._append_sql
        if idempotency_key is not None:
            sql = self._append_idempotent_sql
            args += [idempotency_key, request_fingerprint or "", json.dumps(result) if result is not None else None]
        async with self._connections.acquire() as conn:
            try:
                rows = await conn.fetch(sql, *args)
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name == "idempotency_pkey" and idempotency_key is not None:
                    return await self._previous(conn, idempotency_key, request_fingerprint)
                actual = await self._version(conn, stream_type, stream_id)
                raise ConcurrencyConflict(stream_type, stream_id, expected_version, actual) from None
            if rows:
                self._count(prepared.types)
                await self._wake_relay(conn)
                return AppendResult(
                    stream_type,
                    stream_id,
                    expected_version + 1,
                    expected_version + len(events),
                    tuple(prepared.ids),
                    result=result,
                )
            if idempotency_key is not None:
                previous = await self._find_previous(conn, idempotency_key, request_fingerprint)
                if previous is not None:
                    return previous
            actual = await self._version(conn, stream_type, stream_id)
            raise ConcurrencyConflict(stream_type, stream_id, expected_version, actual)

    def _count(self, event_types: Sequence[str]) -> None:
        if self._appended is not None:
            for event_type in event_types:
                self._appended.labels(self._service, event_type).inc()

    async def append_streams(
        self,
        writes: Sequence[StreamWrite],
        *,
        metadata: EventMetadata,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> list[AppendResult]:
        """Append to several streams atomically: all writes land, or none and ConcurrencyConflict.

        For commands that change two aggregates at once (a child joins a team). Streams are written in
        a fixed order so two such commands cannot deadlock each other.
        """
        ordered = sorted(writes, key=lambda w: (w.stream_type, w.stream_id))
        if not ordered or any(not w.events for w in ordered):
            raise ValueError("append_streams needs at least one event for every stream")
        correlation = metadata.correlation_id or new_id()
        metadata = with_current_trace(metadata.model_copy(update={"correlation_id": correlation}))
        occurred = metadata.occurred_at or datetime.now(UTC)
        prepared: list[tuple[StreamWrite, _Prepared]] = []
        for write in ordered:
            batch = _Prepared()
            for event in write.events:
                batch.ids.append(new_id())
                batch.types.append(event.event_type)
                batch.versions.append(event.schema_version)
                batch.payloads.append(await self._encoded(write.stream_type, write.stream_id, event, metadata))
            prepared.append((write, batch))
        async with self._connections.acquire() as conn:
            try:
                async with conn.transaction():
                    if idempotency_key is not None:
                        first, first_batch = prepared[0]
                        claimed = await conn.fetchval(
                            f"""INSERT INTO {self.schema}.idempotency (key, request_hash, stream_type, stream_id,
                                    first_version, last_version, event_ids, result)
                                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
                                ON CONFLICT (key) DO NOTHING RETURNING key""",
                            idempotency_key,
                            request_fingerprint or "",
                            first.stream_type,
                            first.stream_id,
                            first.expected_version + 1,
                            first.expected_version + len(first.events),
                            first_batch.ids,
                            json.dumps(result) if result is not None else None,
                        )
                        if claimed is None:
                            raise _AlreadyDone
                    for write, batch in prepared:
                        rows = await conn.fetch(
                            self._append_sql,
                            write.stream_type,
                            write.stream_id,
                            write.expected_version,
                            batch.ids,
                            batch.types,
                            batch.payloads,
                            occurred,
                            metadata.tenant,
                            metadata.actor,
                            correlation,
                            metadata.causation_id,
                            metadata.traceparent,
                            metadata.tracestate,
                            batch.versions,
                        )
                        if not rows:
                            raise _Conflict(write)
            except _AlreadyDone:
                assert idempotency_key is not None
                previous = await self._previous(conn, idempotency_key, request_fingerprint)
                return [previous]
            except _Conflict as conflict:
                w = conflict.write
                actual = await self._version(conn, w.stream_type, w.stream_id)
                raise ConcurrencyConflict(w.stream_type, w.stream_id, w.expected_version, actual) from None
            except (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError):
                raise ConcurrencyConflict(
                    ordered[0].stream_type, ordered[0].stream_id, ordered[0].expected_version, None
                ) from None
            await self._wake_relay(conn)
        for _write, batch in prepared:
            self._count(batch.types)
        return [
            AppendResult(
                w.stream_type,
                w.stream_id,
                w.expected_version + 1,
                w.expected_version + len(w.events),
                tuple(b.ids),
                result=result,
            )
            for w, b in prepared
        ]

    async def _encoded(self, stream_type: str, stream_id: str, event: DomainEvent, metadata: EventMetadata) -> str:
        """The event's stored payload as JSON; refuses an event too large for the bus."""
        payload = await self.codec.encode(event)
        size = published_size_bound(
            stream_type=stream_type,
            stream_id=stream_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            tenant=metadata.tenant,
            actor=metadata.actor,
            traceparent=metadata.traceparent,
            tracestate=metadata.tracestate,
            payload_bytes=jsonb_text_bytes(payload),
        )
        if size > self.max_message_bytes:
            raise EventTooLarge(stream_type, event.event_type, size, self.max_message_bytes)
        return json.dumps(payload, separators=(",", ":"))

    async def _find_previous(
        self, conn: PgConnection, key: str, request_fingerprint: str | None
    ) -> AppendResult | None:
        row = await conn.fetchrow(
            f"SELECT stream_type, stream_id, first_version, last_version, event_ids, request_hash,"
            f" result::text AS result FROM {self.schema}.idempotency WHERE key = $1",
            key,
        )
        if row is None:
            return None
        if request_fingerprint is not None and row["request_hash"] != request_fingerprint:
            raise IdempotencyKeyReused(f"idempotency key {key!r} was already used for a different request")
        return AppendResult(
            row["stream_type"],
            row["stream_id"],
            row["first_version"],
            row["last_version"],
            tuple(row["event_ids"]),
            duplicate=True,
            result=json.loads(row["result"]) if row["result"] is not None else None,
        )

    async def _previous(self, conn: PgConnection, key: str, request_fingerprint: str | None) -> AppendResult:
        found = await self._find_previous(conn, key, request_fingerprint)
        if found is None:  # pragma: no cover - the unique violation says the row exists
            raise EventLogError(f"idempotency key {key!r} vanished")
        return found

    async def _version(self, conn: PgConnection, stream_type: str, stream_id: str) -> int:
        value = await conn.fetchval(
            f"SELECT coalesce(max(version), 0) FROM {self.schema}.events WHERE stream_type = $1 AND stream_id = $2",
            stream_type,
            stream_id,
        )
        return int(value)

    async def previous_result(self, idempotency_key: str, request_fingerprint: str | None) -> AppendResult | None:
        """What a command with this idempotency key already did, if it ran: handlers check it first."""
        async with self._connections.acquire() as conn:
            return await self._find_previous(conn, idempotency_key, request_fingerprint)

    async def stream_version(self, stream_type: str, stream_id: str) -> int:
        async with self._connections.acquire() as conn:
            return await self._version(conn, stream_type, stream_id)

    async def read_stream(self, stream_type: str, stream_id: str, *, after_version: int = 0) -> list[RecordedEvent]:
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {self._columns} FROM {self.schema}.events"
                " WHERE stream_type = $1 AND stream_id = $2 AND version > $3 ORDER BY version",
                stream_type,
                stream_id,
                after_version,
            )
        return [await self.codec.decode(_envelope(row)) for row in rows]

    async def read_all(self, after: Cursor, limit: int = 1000) -> list[StoredEvent]:
        """Committed events after `after`, in log order, never past a transaction that may still commit."""
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {self._columns} FROM {self.schema}.events"
                " WHERE (tx_id, position) > ($1::text::xid8, $2)"
                "   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
                " ORDER BY tx_id, position LIMIT $3",
                str(after.tx),
                after.position,
                limit,
            )
        return [StoredEvent(Cursor(row["tx"], row["position"]), _envelope(row)) for row in rows]

    async def read_all_wire(self, after: Cursor, limit: int = 1000) -> list[WireEvent]:
        """`read_all`, with each envelope already serialised to JSON (the relay's hot path)."""
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                "SELECT tx_id::text::bigint AS tx, position, event_id::text AS event_id, stream_type, stream_id,"
                " event_type,"
                " schema_version, tenant, traceparent, tracestate,"
                " json_build_object('event_id', event_id, 'stream_type', stream_type, 'stream_id', stream_id,"
                " 'version', version, 'position', position, 'event_type', event_type,"
                " 'schema_version', schema_version, 'occurred_at', occurred_at, 'recorded_at', recorded_at,"
                " 'tenant', tenant, 'actor', actor, 'correlation_id', correlation_id,"
                " 'causation_id', causation_id, 'traceparent', traceparent, 'tracestate', tracestate,"
                f" 'payload', payload)::text AS body FROM {self.schema}.events"
                " WHERE (tx_id, position) > ($1::text::xid8, $2)"
                "   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
                " ORDER BY tx_id, position LIMIT $3",
                str(after.tx),
                after.position,
                limit,
            )
        return [
            WireEvent(
                Cursor(row["tx"], row["position"]), row["event_id"], row["stream_type"], row["stream_id"],
                row["event_type"],
                row["schema_version"], row["tenant"], row["traceparent"], row["tracestate"], row["body"].encode(),
            )
            for row in rows
        ]

    async def count_after(self, after: Cursor) -> int:
        async with self._connections.acquire() as conn:
            value = await conn.fetchval(
                f"SELECT count(*) FROM {self.schema}.events WHERE (tx_id, position) > ($1::text::xid8, $2)",
                str(after.tx),
                after.position,
            )
        return int(value)


class _AlreadyDone(Exception):
    """The idempotency key was claimed before: roll back and answer with the first result."""


class _Conflict(Exception):
    def __init__(self, write: StreamWrite) -> None:
        self.write = write


_ENVELOPE_COLUMNS = (
    "position, tx_id::text::bigint AS tx, event_id, stream_type, stream_id, version, event_type, "
    "schema_version, occurred_at, recorded_at, tenant, actor, correlation_id, causation_id, "
    "traceparent, tracestate, payload::text AS payload"
)


async def read_stored_envelope(conn: PgConnection, schema: str, event_id: UUID) -> Envelope | None:
    """One stored event by its id (the event an `EventTooLargeForBus` placeholder stands for), if this store
    holds it."""
    s = check_schema_name(schema)
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{s}.events")
    if not exists:
        return None
    row = await conn.fetchrow(f"SELECT {_ENVELOPE_COLUMNS} FROM {s}.events WHERE event_id = $1", event_id)
    return None if row is None else _envelope(row)


def _envelope(row: PgRow) -> Envelope:
    return Envelope(
        event_id=row["event_id"],
        stream_type=row["stream_type"],
        stream_id=row["stream_id"],
        version=row["version"],
        position=row["position"],
        event_type=row["event_type"],
        schema_version=row["schema_version"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        tenant=row["tenant"],
        actor=row["actor"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        traceparent=row["traceparent"],
        tracestate=row["tracestate"],
        payload=json.loads(row["payload"]),
    )
