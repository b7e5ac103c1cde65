"""The relay: publishes every committed event of a service's store, in log order, to the service's stream.

One relay is active per service store (a session advisory lock; other replicas wait on standby). It reads
the log with `read_all` (never past a transaction that may still commit), publishes batches pipelined,
awaits every ack of a batch and only then moves its checkpoint (`{schema}.checkpoints`, name `relay`).

Exactly once, in order, without trusting the dedup window:

- Every message carries `Nats-Expected-Last-Sequence`: the stream stores message n only if it stores it
  right after message n-1. When one publish of a pipelined batch is refused, every later one is refused
  too, so a retry can never store events out of order.
- Before publishing on a new connection, after every reconnect and after any failure the relay reads the
  stream's tail (its last message's `Nats-Msg-Id` is an event id) and maps it to a log position:
  * tail before the checkpoint: JetStream acknowledges before it syncs to disk, so a kill -9 of the server
    can lose acknowledged messages. The relay rewinds and republishes what is missing (a warning says how
    many);
  * tail after the checkpoint: the relay published but stopped before it saved its checkpoint. It moves
    the checkpoint forward instead of publishing the same events again, however long ago that was.
- `Nats-Msg-Id` = event id still lets JetStream drop duplicates from any other path within its window.

Appends never wait for NATS: while NATS is away the relay retries with capped exponential backoff and
catches up when it returns.

An event larger than the bus carries (the store refuses those at append, but a limit may be lowered
later) is never retried blindly: the relay publishes everything before it, then stops there with an
error log and the gauge `rinnalla_relay_blocked_event_bytes` naming the event, and checks again now and
then. The operator resolves it with `publish_placeholder` (`rinnalla relay publish-placeholder`), which
publishes an `EventTooLargeForBus` envelope in the event's place (ADR 0006).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections import deque
from dataclasses import dataclass
from uuid import UUID

import structlog
from nats.aio.client import Client
from nats.js.api import Header
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from prometheus_client import CollectorRegistry

from rinnalla_events._bus_size import PLACEHOLDER_EVENT_TYPE, message_bytes
from rinnalla_events._connections import ConnectionSource, PgConnection
from rinnalla_events._errors import EventLogError
from rinnalla_events._nats_connection import NatsClientFactory, NatsSource
from rinnalla_events._notify import Wakeup, channel_for
from rinnalla_events._pipelined import PipelinedPublisher
from rinnalla_events._relay_checkpoint import RelayCheckpoint
from rinnalla_events._relay_metrics import RelayMetrics
from rinnalla_events._store import Cursor, PostgresEventStore, WireEvent
from rinnalla_events._subjects import Subjects, ensure_stream, headers_for


class NatsUnavailable(EventLogError):
    """The relay has no usable NATS connection at the moment; it will try again."""


class EventTooLargeForBus(EventLogError):
    """The next event to publish is larger than the bus carries: the relay stops before it (ADR 0006)."""

    def __init__(self, event_id: str, stream_type: str, stream_id: str, event_type: str, size: int, limit: int):
        self.event_id = event_id
        self.stream_type = stream_type
        self.stream_id = stream_id
        self.event_type = event_type
        self.size = size
        self.limit = limit
        super().__init__(
            f"event {event_id} ({event_type} of {stream_type} {stream_id}) is {size:,} bytes on the bus, "
            f"which carries at most {limit:,}; publish a placeholder in its place "
            "(rinnalla relay publish-placeholder)"
        )


class NotBlocked(EventLogError):
    """A placeholder was asked for an event that is not the one the relay is stopped at."""


@dataclass(frozen=True)
class _TooLarge:
    event: WireEvent
    error: EventTooLargeForBus


@dataclass
class _Batch:
    events: list[WireEvent]
    futures: list[asyncio.Future[int]]
    span: Span


class Relay:
    """Publishes one service's committed events to JetStream. See the module docstring for the guarantees."""

    def __init__(
        self,
        store: PostgresEventStore,
        connections: ConnectionSource,
        nats: NatsSource,
        subjects: Subjects,
        service: str,
        *,
        batch_size: int = 1000,
        max_in_flight: int = 4000,
        replicas: int = 1,
        checkpoint_name: str = "relay",
        ack_timeout: float = 10.0,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        idle_min: float = 0.01,
        idle_max: float = 0.5,
        standby_poll: float = 5.0,
        registry: CollectorRegistry | None = None,
        wakeup: Wakeup | None = None,
        max_message_bytes: int | None = None,
    ) -> None:
        if batch_size < 1 or max_in_flight < 1:
            raise ValueError("batch_size and max_in_flight must be positive")
        self._store = store
        self._connections = connections
        self._factory: NatsClientFactory | None = None if isinstance(nats, Client) else nats
        self._nc: Client | None = nats if isinstance(nats, Client) else None
        self._subjects = subjects
        self._service = service
        self._stream = subjects.stream_name(service)
        self._batch_size = batch_size
        self._max_in_flight = max_in_flight
        self._replicas = replicas
        self._ack_timeout = ack_timeout
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._idle_min = idle_min
        self._idle_max = idle_max
        self._standby_poll = standby_poll
        self._checkpoints = RelayCheckpoint(connections, store.schema, checkpoint_name)
        self._lock_key = _lock_key(f"rinnalla.relay:{store.schema}:{checkpoint_name}")
        self._metrics = RelayMetrics.for_registry(registry)
        self._wakeup = wakeup or Wakeup()
        self._tracer = trace.get_tracer("rinnalla_events.relay")
        # initial values, not bind(): the logger stays lazy and follows logging configured after this point
        self._log = structlog.get_logger("rinnalla_events.relay", service=service, stream=self._stream)
        self._pass_lock = asyncio.Lock()
        self._js: JetStreamContext | None = None
        self._publisher: PipelinedPublisher | None = None
        self._reconnects_seen = 0
        self._synced = False
        self._checkpoint = Cursor()
        self._last_seq = 0  # the stream's last sequence: what the next message must find
        self._stop: asyncio.Event | None = None  # set by run(): a long catch-up ends early on shutdown
        # the largest message to publish; the server's max_payload lowers it once connected
        self._max_message_bytes = max_message_bytes or store.max_message_bytes
        self._blocked: EventTooLargeForBus | None = None

    # -- public API -------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set: catch up, then wait for new events; retry forever on failures."""
        forward = asyncio.create_task(self._wake_when(stop))
        self._stop = stop
        failures = 0
        try:
            while not stop.is_set():
                try:
                    async with self._connections.acquire() as conn:
                        if await self._take_lock(conn, stop):
                            failures = 0
                            try:
                                await self._serve(conn, stop)
                            finally:
                                await self._release_lock(conn)
                except Exception as exc:
                    failures += 1
                    delay = self._backoff(failures)
                    self._log.warning("relay.database_unavailable", error=repr(exc), retry_in=delay)
                    await _pause(delay, stop)
        finally:
            forward.cancel()
            self._stop = None
            await self.close()

    async def publish_pending(self) -> int:
        """One catch-up pass: publish everything committed after the checkpoint; returns how many."""
        async with self._pass_lock:
            publisher, js = await self._connection()
            if not self._synced:
                await self._sync(js)
            return await self._catch_up(publisher)

    async def lag(self) -> int:
        """Events in the store after the relay's saved checkpoint."""
        lag = await self._store.count_after(await self._checkpoints.load())
        self._metrics.lag.labels(self._service).set(lag)
        return lag

    async def blocking_event(self) -> EventTooLargeForBus | None:
        """The next event to publish if it is too large for the bus: where the relay is (or will be) stopped.
        Read from the store, so any process of the service can ask; without a connection the limit is the
        relay's setting."""
        pending = await self._store.read_all_wire(await self._checkpoints.load(), limit=1)
        found = self._first_too_large(pending)
        return None if found is None else found.error

    def wake(self) -> None:
        """Tell a waiting relay that events were just appended (in-process, costs nothing)."""
        self._wakeup.wake()

    async def close(self) -> None:
        """Drop the NATS connection if the relay made it (a borrowed client stays open)."""
        if self._publisher is not None:
            await self._publisher.close()
            self._publisher = None
        self._js = None
        if self._factory is not None and self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.close()
            self._nc = None
        self._synced = False

    # -- connection and tail check ----------------------------------------------------------------------

    async def _connection(self) -> tuple[PipelinedPublisher, JetStreamContext]:
        nc = self._nc
        if nc is None or nc.is_closed:
            await self.close()
            if self._factory is None:
                raise NatsUnavailable("the borrowed NATS connection is closed")
            nc = self._nc = await self._factory()
        if self._publisher is None or self._js is None:
            self._publisher = PipelinedPublisher(nc, max_in_flight=self._max_in_flight, stall_timeout=self._ack_timeout)
            await self._publisher.start()
            self._js = nc.jetstream(timeout=self._ack_timeout)
            self._reconnects_seen = nc.stats["reconnects"]
            self._synced = False
        if not nc.is_connected:
            raise NatsUnavailable("not connected to NATS (reconnecting)")
        reconnects = nc.stats["reconnects"]
        if reconnects != self._reconnects_seen:
            # the server may have restarted and lost its unsynced tail: check before publishing again
            self._reconnects_seen = reconnects
            self._synced = False
        return self._publisher, self._js

    async def _sync(self, js: JetStreamContext) -> None:
        """Compare the stream's tail with the checkpoint and settle where to publish from."""
        await ensure_stream(js, self._subjects, self._service, replicas=self._replicas)
        info = await js.stream_info(self._stream)
        last_seq = info.state.last_seq
        tail = await self._stream_tail(js)
        checkpoint = await self._checkpoints.load()
        if tail is None:
            self._log.error(
                "relay.unknown_stream_tail",
                detail="the stream's last message is not an event of this store; publishing after the checkpoint",
                checkpoint=_show(checkpoint),
            )
        elif tail < checkpoint:
            missing = await self._store.count_after(tail) - await self._store.count_after(checkpoint)
            self._log.warning(
                "relay.stream_lost_tail",
                republishing=missing,
                stream_tail=_show(tail),
                checkpoint=_show(checkpoint),
            )
            self._metrics.republished.labels(self._service).inc(missing)
            await self._checkpoints.save(tail)
            checkpoint = tail
        elif tail > checkpoint:
            ahead = await self._store.count_after(checkpoint) - await self._store.count_after(tail)
            self._log.info(
                "relay.stream_ahead_of_checkpoint",
                already_published=ahead,
                stream_tail=_show(tail),
                checkpoint=_show(checkpoint),
            )
            await self._checkpoints.save(tail)
            checkpoint = tail
        self._checkpoint = checkpoint
        self._last_seq = last_seq
        self._synced = True

    async def _stream_tail(self, js: JetStreamContext) -> Cursor | None:
        """Log position of the stream's last event; Cursor() if the stream is empty, None if unknown here."""
        try:
            last = await js.get_last_msg(self._stream, self._subjects.all_of(self._service))
        except NotFoundError:
            return Cursor()
        msg_id = (last.headers or {}).get(Header.MSG_ID.value)
        try:
            event_id = UUID(str(msg_id))
        except ValueError:
            return None
        return await self._checkpoints.cursor_of(event_id)

    # -- publishing -------------------------------------------------------------------------------------

    async def _catch_up(self, publisher: PipelinedPublisher) -> int:
        """Publish batches while earlier batches' acks are on their way; checkpoint each acked batch."""
        published = 0
        read_from = self._checkpoint
        in_flight: deque[_Batch] = deque()
        drained = False
        blocked: EventTooLargeForBus | None = None
        try:
            while True:
                outstanding = sum(len(b.events) for b in in_flight)
                if self._stop is not None and self._stop.is_set():
                    drained = True  # settle what is in flight, read no further
                if not drained and (not in_flight or outstanding + self._batch_size <= self._max_in_flight):
                    events = await self._store.read_all_wire(read_from, limit=self._batch_size)
                    drained = len(events) < self._batch_size
                    too_large = self._first_too_large(events)
                    if too_large is not None:
                        events = events[: events.index(too_large.event)]
                        drained = True  # publish what comes before it, then stop there
                        blocked = too_large.error
                    if events:
                        in_flight.append(await self._send(publisher, events))
                        read_from = events[-1].cursor
                    continue
                if not in_flight:
                    if blocked is not None:
                        self._report_blocked(blocked)
                        raise blocked
                    self._clear_blocked()
                    return published
                published += await self._settle(in_flight.popleft())
        except BaseException as exc:
            publisher.cancel_all()
            for batch in in_flight:
                _fail(batch.span, exc)
            self._synced = False  # re-read the stream's tail before publishing again
            raise

    async def _send(self, publisher: PipelinedPublisher, events: list[WireEvent]) -> _Batch:
        span = self._tracer.start_span(
            "relay publish",
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.operation.type": "send",
                "messaging.destination.name": self._stream,
                "messaging.batch.message_count": len(events),
                "rinnalla.service": self._service,
                "rinnalla.log.first_position": events[0].cursor.position,
                "rinnalla.log.last_position": events[-1].cursor.position,
            },
        )
        futures: list[asyncio.Future[int]] = []
        try:
            for stored in events:
                subject = self._subjects.subject_for(self._service, stored)
                futures.append(await publisher.publish(subject, stored.body, self._headers(stored)))
                self._last_seq += 1
        except BaseException as exc:
            _fail(span, exc)
            raise
        return _Batch(events, futures, span)

    def _headers(self, stored: WireEvent) -> dict[str, str]:
        headers = headers_for(stored)
        headers[Header.EXPECTED_STREAM.value] = self._stream
        headers[Header.EXPECTED_LAST_SEQUENCE.value] = str(self._last_seq)
        return headers

    def message_limit(self) -> int:
        """The largest message this relay publishes: its setting, or the server's max_payload if smaller."""
        limit = self._max_message_bytes
        if self._nc is not None and self._nc.is_connected:
            limit = min(limit, self._nc.max_payload)
        return limit

    def _first_too_large(self, events: list[WireEvent]) -> _TooLarge | None:
        limit = self.message_limit()
        for stored in events:
            # the expected sequence at its widest: the size must not depend on where the event lands
            size = message_bytes(stored.body, {**self._headers(stored), Header.EXPECTED_LAST_SEQUENCE.value: "0" * 20})
            if size > limit:
                error = EventTooLargeForBus(
                    stored.event_id, stored.stream_type, stored.stream_id, stored.event_type, size, limit
                )
                return _TooLarge(stored, error)
        return None

    def _report_blocked(self, error: EventTooLargeForBus) -> None:
        """Loudly, once per event: an error log and a gauge naming the event (cleared once it is past)."""
        if self._blocked is not None and self._blocked.event_id == error.event_id:
            return
        self._clear_blocked()
        self._blocked = error
        self._metrics.blocked.labels(
            self._service, error.event_id, error.stream_type, error.stream_id, error.event_type
        ).set(error.size)
        self._log.error(
            "relay.event_too_large",
            detail="the relay publishes nothing after this event until a placeholder is published in its place",
            resolve=f"rinnalla relay publish-placeholder {self._service} {error.event_id}",
            event_id=error.event_id,
            event_type=error.event_type,
            stream_type=error.stream_type,
            stream_id=error.stream_id,
            size=error.size,
            limit=error.limit,
        )

    def _clear_blocked(self) -> None:
        blocked = self._blocked
        if blocked is None:
            return
        with contextlib.suppress(KeyError):
            self._metrics.blocked.remove(
                self._service, blocked.event_id, blocked.stream_type, blocked.stream_id, blocked.event_type
            )
        self._log.info("relay.event_too_large_resolved", event_id=blocked.event_id)
        self._blocked = None

    # -- the operator's way past an event too large for the bus ---------------------------------------

    async def publish_placeholder(self, event_id: UUID) -> int:
        """Publish an `EventTooLargeForBus` envelope in place of the stored event `event_id`, which must be
        the next event to publish and too large for the bus. Returns the placeholder's size in bytes.

        The placeholder keeps the event's id (as `Nats-Msg-Id`), stream, version and position, so the
        stream's order is unbroken and the relay goes on after it. The event itself stays in the store.
        Safe while the service's relay runs: the publish expects the stream's current last sequence, and
        the running relay reads the new tail before it publishes again.
        """
        async with self._pass_lock:
            _publisher, js = await self._connection()
            await self._sync(js)
            self._synced = False  # whatever happens here, read the stream's tail again before publishing
            pending = await self._store.read_all_wire(self._checkpoint, limit=1)
            if not pending or pending[0].event_id != str(event_id):
                next_id = pending[0].event_id if pending else "none"
                raise NotBlocked(f"event {event_id} is not the next event to publish (the next one is {next_id})")
            stored = pending[0]
            too_large = self._first_too_large([stored])
            if too_large is None:
                raise NotBlocked(f"event {event_id} fits on the bus: the relay publishes it as it is")
            body = await self._placeholder_body(stored, too_large.error)
            headers = self._headers(stored)
            headers["Rinnalla-Event-Type"] = PLACEHOLDER_EVENT_TYPE
            headers["Rinnalla-Schema-Version"] = "1"
            subject = f"{self._subjects.prefix}.{self._service}.{stored.stream_type}.{PLACEHOLDER_EVENT_TYPE}"
            ack = await js.publish(subject, body, timeout=self._ack_timeout, headers=headers)
            self._last_seq = ack.seq
            await self._checkpoints.save(stored.cursor)
            self._checkpoint = stored.cursor
            async with self._connections.acquire() as conn:  # wake the service's relay, stopped before it
                await conn.execute("SELECT pg_notify($1, '')", channel_for(self._store.schema))
            self._metrics.placeholders.labels(self._service).inc()
            self._log.warning(
                "relay.placeholder_published",
                event_id=stored.event_id,
                event_type=stored.event_type,
                stream_type=stored.stream_type,
                stream_id=stored.stream_id,
                size=too_large.error.size,
                limit=too_large.error.limit,
            )
            return len(body)

    async def _placeholder_body(self, stored: WireEvent, error: EventTooLargeForBus) -> bytes:
        """The stored envelope with its type and payload replaced by a pointer to the stored event."""
        envelope = json.loads(stored.body)
        envelope["event_type"] = PLACEHOLDER_EVENT_TYPE
        envelope["schema_version"] = 1
        envelope["payload"] = {
            "event_id": stored.event_id,
            "event_type": stored.event_type,
            "schema_version": stored.schema_version,
            "stored_in": self._store.schema,
            "size_bytes": error.size,
            "limit_bytes": error.limit,
        }
        return json.dumps(envelope, separators=(",", ":")).encode()

    async def _settle(self, batch: _Batch) -> int:
        try:
            async with asyncio.timeout(self._ack_timeout):
                for future in batch.futures:  # in order; most are done already (cheaper than gather)
                    await future
            await self._checkpoints.save(batch.events[-1].cursor)
        except BaseException as exc:
            _fail(batch.span, exc)
            raise
        self._checkpoint = batch.events[-1].cursor
        batch.span.set_attribute("messaging.nats.last_sequence", batch.futures[-1].result())
        batch.span.end()
        self._metrics.published.labels(self._service).inc(len(batch.events))
        self._metrics.last_publish.labels(self._service).set_to_current_time()
        return len(batch.events)

    # -- the long-running loop --------------------------------------------------------------------------

    async def _serve(self, conn: PgConnection, stop: asyncio.Event) -> None:
        """Catch up and wait for more, as the active relay, until `stop` or the lock connection is lost."""
        channel = channel_for(self._store.schema)
        await self._wakeup.listen(conn, channel)
        self._log.info("relay.active")
        failures = 0
        idle = self._idle_min
        try:
            await self._refresh_lag()
            while not stop.is_set():
                if conn.is_closed():
                    raise ConnectionError("the relay's database session (its lock and LISTEN) is gone")
                try:
                    published = await self.publish_pending()
                except EventTooLargeForBus:
                    # reported by _catch_up; no retry can help. Look again when the operator's placeholder
                    # notifies (or an append does), and now and then.
                    await self._refresh_lag()
                    await self._wakeup.wait(self._retry_max)
                    continue
                except Exception as exc:
                    failures += 1
                    delay = self._backoff(failures)
                    self._metrics.failures.labels(self._service).inc()
                    self._log.warning("relay.retrying", attempt=failures, retry_in=delay, error=repr(exc))
                    await self._refresh_lag()
                    await _pause(delay, stop)
                    continue
                if failures:
                    self._log.info("relay.recovered", failed_attempts=failures)
                    failures = 0
                if published:
                    await self._refresh_lag()
                    idle = self._idle_min
                    continue
                # nothing new: poll again soon, then less and less often, unless woken
                idle = self._idle_min if await self._wakeup.wait(idle) else min(idle * 2, self._idle_max)
        finally:
            await self._wakeup.unlisten(conn, channel)

    async def _take_lock(self, conn: PgConnection, stop: asyncio.Event) -> bool:
        """Become the active relay of this store; wait on standby while another one is."""
        announced = False
        while not stop.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key):
                return True
            if not announced:
                self._log.info("relay.standby", detail="another relay of this store is active")
                announced = True
            await _pause(self._standby_poll, stop)
        return False

    async def _release_lock(self, conn: PgConnection) -> None:
        with contextlib.suppress(Exception):  # a closed session has released it already
            await conn.execute("SELECT pg_advisory_unlock($1)", self._lock_key)

    async def _refresh_lag(self) -> None:
        with contextlib.suppress(Exception):  # the database may be the thing that is down
            await self.lag()

    async def _wake_when(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wakeup.wake()

    def _backoff(self, failures: int) -> float:
        return float(min(self._retry_max, self._retry_initial * 2 ** min(failures - 1, 32)))


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    """Sleep, but wake up at once when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()


def _fail(span: Span, exc: BaseException) -> None:
    if span.is_recording():
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, repr(exc)))
    span.end()


def _show(cursor: Cursor) -> str:
    return f"{cursor.tx}/{cursor.position}"


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
