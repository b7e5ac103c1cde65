"""Applies a batch of delivered events to one generation of a projection, in ONE transaction.

Exactly-once effect comes from what is committed together with the rows:
- the checkpoint: the last JetStream sequence applied per source stream. A delivery at or below it is a
  redelivery and is skipped. The checkpoint row is locked FOR UPDATE, so even two runners that both
  believe they own the projection cannot apply the same sequence twice.
- the `seen` table: the last version applied per event stream (aggregate). The same event published twice
  under two sequences (a relay that republished after JetStream's duplicate window) carries the same
  (stream, version) and is skipped. This relies on each event stream being published in version order,
  which the relay's (transaction, position) order gives: an append only sees a stream's head once the
  previous version committed, so it always gets a later transaction id.

Poison events (decode or apply raises) are parked in `<schema>.parked_events` in the same transaction and
the checkpoint moves past them. The first attempt runs without savepoints (they cost two round trips per
event); if any apply fails, the transaction is rolled back and the batch is replayed with a savepoint
around each event, so the failing one can be parked and the others kept. Each parked event is an error
log (`projection.event_parked`); the service API shows the unresolved ones as
`rinnalla_projection_parked_events` (alert on it).

An `EventTooLargeForBus` placeholder (ADR 0006) is replaced by the event it stands for when this schema's
store holds it; otherwise it is parked.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from rinnalla_events._bus_size import PLACEHOLDER_EVENT_TYPE
from rinnalla_events._codec import EventCodec, RecordedEvent
from rinnalla_events._connections import ConnectionSource, PgConnection
from rinnalla_events._ddl import check_schema_name
from rinnalla_events._envelope import Envelope
from rinnalla_events._erasure import SubjectErased
from rinnalla_events._projection import Projection, Tables
from rinnalla_events._projection_metrics import ProjectionMetrics
from rinnalla_events._store import read_stored_envelope
from rinnalla_events._subjects import HEADER_EVENT_TYPE

log = structlog.get_logger("rinnalla_events.projection")

_PROPAGATOR = TraceContextTextMapPropagator()
_MAX_ERROR = 4000

# Errors of the infrastructure, not of the event: the batch is retried (never parked).
_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # includes ConnectionError and TimeoutError (asyncio and nats timeouts are TimeoutError)
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.TransactionRollbackError,  # serialization failure, deadlock
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InsufficientResourcesError,
)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, _TRANSIENT)


@dataclass(frozen=True)
class Delivery:
    """One message from a source stream, as the runner or a rebuild received it."""

    source: str  # JetStream stream name
    seq: int  # stream sequence
    data: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    pending: int = 0  # messages after this one the consumer has not delivered yet
    msg: Any = None  # the message to acknowledge after commit (None: ordered consumer, nothing to ack)

    @property
    def event_id(self) -> uuid.UUID | None:
        """The event id the publisher put in `Nats-Msg-Id` (None if absent or not an id)."""
        try:
            return uuid.UUID(self.headers.get("Nats-Msg-Id", ""))
        except ValueError:
            return None

    @classmethod
    def from_msg(cls, source: str, msg: Any, *, ack: bool) -> Delivery:
        meta = msg.metadata
        return cls(
            source=source,
            seq=int(meta.sequence.stream),
            data=bytes(msg.data),
            headers=dict(msg.headers or {}),
            pending=int(meta.num_pending or 0),
            msg=msg if ack else None,
        )


@dataclass(frozen=True)
class Parked:
    event_id: uuid.UUID
    event_type: str
    source: str
    seq: int
    error: str
    envelope: dict[str, Any]


@dataclass
class BatchOutcome:
    generation: int
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    parked: list[Parked] = field(default_factory=list)
    checkpoints: dict[str, int] = field(default_factory=dict)
    last_event_ids: dict[str, uuid.UUID | None] = field(default_factory=dict)


class _Poisoned(Exception):
    """An apply failed in the fast path: replay the batch with savepoints."""


@dataclass
class _Item:
    delivery: Delivery
    envelope: Envelope | None = None
    error: str | None = None


class NoActiveGeneration(RuntimeError):
    pass


class ActiveVersionDiffers(RuntimeError):
    """The active generation was built by another version of the projection than the code running here.

    Applying this code to those tables could corrupt them (or park every event), so nothing is applied.
    """

    def __init__(self, projection: str, active: int, running: int) -> None:
        self.active = active
        self.running = running
        super().__init__(f"projection {projection}: the active generation is version {active}, this code is {running}")


class BatchApplier:
    """Applies batches to the active generation (`generation=None`) or to one being built."""

    def __init__(
        self,
        projection: Projection,
        *,
        connections: ConnectionSource,
        schema: str,
        codec: EventCodec,
        metrics: ProjectionMetrics,
        generation: int | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.projection = projection
        self._connections = connections
        self._schema = check_schema_name(schema)
        self._codec = codec
        self._metrics = metrics
        self._generation = generation
        self._tracer: Tracer = trace.get_tracer("rinnalla_events.projection", tracer_provider=tracer_provider)

    async def apply(self, deliveries: Sequence[Delivery]) -> BatchOutcome:
        name = self.projection.name
        with self._tracer.start_as_current_span(
            f"projection {name} batch", kind=SpanKind.CONSUMER, attributes={"projection": name, "size": len(deliveries)}
        ):
            try:
                outcome = await self._run(deliveries, careful=False)
            except _Poisoned:
                outcome = await self._run(deliveries, careful=True)
        self._metrics.batches.labels(name).inc()
        self._metrics.applied.labels(name).inc(outcome.applied)
        if outcome.duplicates:
            self._metrics.skipped.labels(name, "duplicate").inc(outcome.duplicates)
        if outcome.ignored:
            self._metrics.skipped.labels(name, "ignored").inc(outcome.ignored)
        for parked in outcome.parked:
            self._metrics.parked.labels(name).inc()
            log.error(
                "projection.event_parked",
                projection=name,
                generation=outcome.generation,
                event_id=str(parked.event_id),
                event_type=parked.event_type,
                stream=parked.source,
                seq=parked.seq,
                error=parked.error,
            )
        return outcome

    async def apply_envelope(self, conn: PgConnection, envelope: Envelope) -> int:
        """Apply one event outside the stream order (a parked event retried), in the caller's transaction.

        No checkpoint and no duplicate guard: the caller decides that this event must be applied now.
        Returns the generation it was applied to.
        """
        generation = await self._lock_generation(conn)
        tables = self.projection.tables_for(self._schema, generation)
        await self._apply_one(conn, tables, await self._decode(envelope))
        return generation

    async def _run(self, deliveries: Sequence[Delivery], *, careful: bool) -> BatchOutcome:
        async with self._connections.acquire() as conn, conn.transaction():
            generation = await self._lock_generation(conn)
            tables = self.projection.tables_for(self._schema, generation)
            seqs = await self._lock_checkpoints(conn, generation)
            outcome = BatchOutcome(generation)
            items = await self._resolve_placeholders(conn, self._new_items(deliveries, seqs, outcome), outcome)
            seen = await self._seen(conn, tables, items)
            if careful:
                for item in items:
                    await self._one(conn, tables, item, seen, outcome, careful=True)
            else:
                await self._all_at_once(conn, tables, items, seen, outcome)
            await self._write_seen(conn, tables, seen)
            await self._write_checkpoints(conn, generation, seqs, outcome)
            await self._write_parked(conn, outcome.parked)
        return outcome

    async def _lock_generation(self, conn: PgConnection) -> int:
        s = self._schema
        if self._generation is not None:
            state = await conn.fetchval(
                f"SELECT state FROM {s}.projection_generations WHERE projection = $1 AND generation = $2 FOR SHARE",
                self.projection.name,
                self._generation,
            )
            if state is None:
                raise NoActiveGeneration(f"generation {self._generation} of {self.projection.name} does not exist")
            return self._generation
        # FOR SHARE: a switch (FOR UPDATE) waits for this batch, and this batch waits for a switch. Right
        # after a switch commits, this statement's snapshot may not show the new active row yet: ask again.
        for _ in range(5):
            row = await conn.fetchrow(
                f"SELECT generation, version FROM {s}.projection_generations"
                " WHERE projection = $1 AND state = 'active' FOR SHARE",
                self.projection.name,
            )
            if row is not None:
                if row["version"] != self.projection.version:
                    raise ActiveVersionDiffers(self.projection.name, row["version"], self.projection.version)
                return int(row["generation"])
        raise NoActiveGeneration(f"projection {self.projection.name} has no active generation")

    async def _lock_checkpoints(self, conn: PgConnection, generation: int) -> dict[str, int]:
        rows = await conn.fetch(
            f"SELECT source, last_seq FROM {self._schema}.projection_checkpoints"
            " WHERE projection = $1 AND generation = $2 FOR UPDATE",
            self.projection.name,
            generation,
        )
        return {r["source"]: int(r["last_seq"]) for r in rows}

    def _new_items(self, deliveries: Sequence[Delivery], seqs: dict[str, int], outcome: BatchOutcome) -> list[_Item]:
        """Drop what the checkpoint already covers and what the projection ignores; parse the rest."""
        items: list[_Item] = []
        registry = self._codec.registry
        for delivery in deliveries:
            if delivery.source not in seqs:
                raise RuntimeError(f"projection {self.projection.name} has no checkpoint for stream {delivery.source}")
            if delivery.seq <= seqs[delivery.source]:
                outcome.duplicates += 1
                continue
            seqs[delivery.source] = delivery.seq
            outcome.last_event_ids[delivery.source] = delivery.event_id
            event_type = delivery.headers.get(HEADER_EVENT_TYPE)
            placeholder = event_type == PLACEHOLDER_EVENT_TYPE  # resolved below, never silently ignored
            if event_type is not None and not placeholder and not self._wants(event_type, registry.knows(event_type)):
                outcome.ignored += 1
                continue
            item = _Item(delivery)
            try:
                item.envelope = Envelope.from_wire(delivery.data)
            except Exception as exc:  # a body that is not an envelope is a poison event
                item.error = _describe(exc)
            else:
                kind = item.envelope.event_type
                if kind != PLACEHOLDER_EVENT_TYPE and not self._wants(kind, registry.knows(kind)):
                    outcome.ignored += 1
                    continue
            items.append(item)
        return items

    async def _resolve_placeholders(self, conn: PgConnection, items: list[_Item], outcome: BatchOutcome) -> list[_Item]:
        """An `EventTooLargeForBus` placeholder stands for an event too large for the bus (ADR 0006). A read
        model of the service that stored it reads the event from the store; any other consumer parks the
        placeholder, which raises the parked-events alert instead of diverging silently."""
        resolved: list[_Item] = []
        registry = self._codec.registry
        for item in items:
            envelope = item.envelope
            if envelope is None or envelope.event_type != PLACEHOLDER_EVENT_TYPE:
                resolved.append(item)
                continue
            stored = await read_stored_envelope(conn, self._schema, envelope.event_id)
            if stored is None:
                original = envelope.payload.get("event_type", "?")
                item.error = (
                    f"EventTooLargeForBus: event {envelope.event_id} ({original}) was too large for the bus; "
                    "only its producer's store holds it"
                )
            elif not self._wants(stored.event_type, registry.knows(stored.event_type)):
                outcome.ignored += 1
                continue
            else:
                item.envelope = stored
            resolved.append(item)
        return resolved

    def _wants(self, event_type: str, known: bool) -> bool:
        return event_type == SubjectErased.event_type or self.projection.wants(event_type, known)

    async def _seen(self, conn: PgConnection, tables: Tables, items: list[_Item]) -> dict[tuple[str, str, str], int]:
        keys = {_key(i) for i in items if i.envelope is not None}
        if not keys:
            return {}
        sources, types, ids = (list(column) for column in zip(*keys, strict=True))
        rows = await conn.fetch(
            f"SELECT s.source, s.stream_type, s.stream_id, s.version FROM {tables.seen} s"
            " JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(source, stream_type, stream_id)"
            " USING (source, stream_type, stream_id)",
            sources,
            types,
            ids,
        )
        return {(r["source"], r["stream_type"], r["stream_id"]): int(r["version"]) for r in rows}

    async def _one(
        self,
        conn: PgConnection,
        tables: Tables,
        item: _Item,
        seen: dict[tuple[str, str, str], int],
        outcome: BatchOutcome,
        *,
        careful: bool,
    ) -> None:
        envelope = item.envelope
        if envelope is not None:
            key = _key(item)
            if envelope.version <= seen.get(key, 0):
                outcome.duplicates += 1
                return
            seen[key] = envelope.version
        if item.error is not None or envelope is None:
            outcome.parked.append(_parked(item, item.error or "unreadable envelope"))
            return
        with trace.use_span(self._event_span(item, envelope), end_on_exit=True) as span:
            try:
                recorded = await self._decode(envelope)
            except Exception as exc:
                if is_transient(exc):
                    raise
                span.record_exception(exc)
                outcome.parked.append(_parked(item, _describe(exc)))
                return
            try:
                if careful:
                    async with conn.transaction():  # a savepoint: a failing apply leaves the batch usable
                        await self._apply_one(conn, tables, recorded)
                else:
                    await self._apply_one(conn, tables, recorded)
            except Exception as exc:
                if is_transient(exc):
                    raise
                if not careful:
                    raise _Poisoned from exc
                span.record_exception(exc)
                outcome.parked.append(_parked(item, _describe(exc)))
                return
            outcome.applied += 1

    async def _all_at_once(
        self,
        conn: PgConnection,
        tables: Tables,
        items: list[_Item],
        seen: dict[tuple[str, str, str], int],
        outcome: BatchOutcome,
    ) -> None:
        """The fast path: hand runs of events to `apply_batch`; any failure replays the batch carefully."""
        run: list[tuple[_Item, RecordedEvent]] = []
        for item in items:
            envelope = item.envelope
            if envelope is None or item.error is not None:
                raise _Poisoned  # park it on the careful path
            key = _key(item)
            if envelope.version <= seen.get(key, 0):
                outcome.duplicates += 1
                continue
            seen[key] = envelope.version
            try:
                recorded = await self._decode(envelope)
            except Exception as exc:
                if is_transient(exc):
                    raise
                raise _Poisoned from exc
            if isinstance(recorded.event, SubjectErased):
                await self._apply_run(conn, tables, run, outcome)
                run = []
                await self._apply_run(conn, tables, [(item, recorded)], outcome)
            else:
                run.append((item, recorded))
        await self._apply_run(conn, tables, run, outcome)

    async def _apply_run(
        self, conn: PgConnection, tables: Tables, run: list[tuple[_Item, RecordedEvent]], outcome: BatchOutcome
    ) -> None:
        if not run:
            return
        spans = [self._event_span(item, recorded.envelope) for item, recorded in run]
        try:
            if isinstance(run[0][1].event, SubjectErased):
                await self._apply_one(conn, tables, run[0][1])
            else:
                await self.projection.apply_batch(conn, tables, [recorded for _, recorded in run])
        except Exception as exc:
            if is_transient(exc):
                raise
            raise _Poisoned from exc
        finally:
            for span in spans:
                span.end()
        outcome.applied += len(run)

    def _event_span(self, item: _Item, envelope: Envelope) -> Span:
        """The span of one applied event, continuing the trace of the command that appended it."""
        carrier = dict(item.delivery.headers)
        if "traceparent" not in carrier and envelope.traceparent:
            carrier["traceparent"] = envelope.traceparent
            if envelope.tracestate:
                carrier["tracestate"] = envelope.tracestate
        return self._tracer.start_span(
            f"projection {self.projection.name} apply {envelope.event_type}",
            context=_PROPAGATOR.extract(carrier),
            kind=SpanKind.CONSUMER,
            attributes={
                "projection": self.projection.name,
                "event.type": envelope.event_type,
                "event.id": str(envelope.event_id),
                "messaging.source": item.delivery.source,
                "messaging.sequence": item.delivery.seq,
            },
        )

    async def _decode(self, envelope: Envelope) -> RecordedEvent:
        if envelope.event_type == SubjectErased.event_type:
            # Read without the registry: every projection must see erasures, whatever events it models.
            erased = SubjectErased.model_validate(envelope.payload)
            forget = getattr(self._codec.keys, "forget", None)
            if callable(forget):
                forget(erased.subject_id)  # the key is gone: later events must read as erased at once
            return RecordedEvent(envelope, erased)
        return await self._codec.decode(envelope)

    async def _apply_one(self, conn: PgConnection, tables: Tables, recorded: RecordedEvent) -> None:
        if isinstance(recorded.event, SubjectErased):
            await self.projection.purge_subject(conn, tables, recorded.event.subject_id)
        else:
            await self.projection.apply(conn, tables, recorded)

    async def _write_seen(self, conn: PgConnection, tables: Tables, seen: dict[tuple[str, str, str], int]) -> None:
        if not seen:
            return
        keys = list(seen)
        await conn.execute(
            f"INSERT INTO {tables.seen} AS s (source, stream_type, stream_id, version)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])"
            " ON CONFLICT (source, stream_type, stream_id)"
            " DO UPDATE SET version = greatest(s.version, EXCLUDED.version)",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [seen[k] for k in keys],
        )

    async def _write_checkpoints(
        self, conn: PgConnection, generation: int, seqs: dict[str, int], outcome: BatchOutcome
    ) -> None:
        outcome.checkpoints = dict(seqs)
        moved = list(outcome.last_event_ids)
        if not moved:
            return
        await conn.execute(
            f"UPDATE {self._schema}.projection_checkpoints c"
            " SET last_seq = u.seq, last_event_id = u.event_id, updated_at = now()"
            " FROM unnest($3::text[], $4::bigint[], $5::uuid[]) AS u(source, seq, event_id)"
            " WHERE c.projection = $1 AND c.generation = $2 AND c.source = u.source",
            self.projection.name,
            generation,
            moved,
            [seqs[s] for s in moved],
            [outcome.last_event_ids[s] for s in moved],
        )

    async def _write_parked(self, conn: PgConnection, parked: list[Parked]) -> None:
        if not parked:
            return
        await conn.executemany(
            f"INSERT INTO {self._schema}.parked_events (consumer, event_id, event_type, stream_seq, error, envelope)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb)"
            " ON CONFLICT (consumer, event_id) DO UPDATE SET event_type = EXCLUDED.event_type,"
            " stream_seq = EXCLUDED.stream_seq, error = EXCLUDED.error, envelope = EXCLUDED.envelope,"
            " parked_at = now(), resolved_at = NULL",
            [(self.projection.name, p.event_id, p.event_type, p.seq, p.error, json.dumps(p.envelope)) for p in parked],
        )


def _key(item: _Item) -> tuple[str, str, str]:
    assert item.envelope is not None
    return (item.delivery.source, item.envelope.stream_type, item.envelope.stream_id)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]


def _parked(item: _Item, error: str) -> Parked:
    delivery = item.delivery
    if item.envelope is not None:
        return Parked(
            item.envelope.event_id,
            item.envelope.event_type,
            delivery.source,
            delivery.seq,
            error,
            item.envelope.model_dump(mode="json"),
        )
    event_id = delivery.event_id or uuid.uuid5(uuid.NAMESPACE_URL, f"nats:{delivery.source}:{delivery.seq}")
    return Parked(
        event_id,
        delivery.headers.get(HEADER_EVENT_TYPE, "unknown"),
        delivery.source,
        delivery.seq,
        error,
        {"unreadable": delivery.data.decode("utf-8", "replace")[:_MAX_ERROR]},
    )
