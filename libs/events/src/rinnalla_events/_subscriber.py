"""The projection runner: keeps one projection's active generation up to date with its source streams.

One runner per projection is active at a time: it holds a session advisory lock on a connection of its
own; other runners (replicas, a redeploy overlapping the old pod) wait for it. Each session:

1. makes sure the framework tables and an active generation exist; if the active generation was built by
   another `Projection.version`, rebuilds blue/green first (readers keep the old generation meanwhile);
2. per source stream, reads from the checkpoint: through an ordered consumer while far behind (fast
   replay), then through the durable pull consumer, recreated exactly where the ordered reader stopped;
3. applies what arrives in transactions: batches of up to `batch_size` while messages are pending
   (catch-up), one event at a time when live; rows, checkpoint, duplicate guard and parked poison events
   commit together, and only then is the batch acknowledged.

Why this keeps the effect exactly-once simply: the checkpoint in PostgreSQL is the only truth about what
was applied. Neither consumer needs to remember anything; a message that arrives twice, from either, is
skipped by the checkpoint (or by the per-stream version guard when it was published twice). Readers put
messages into one bounded queue, so memory does not depend on how far behind the runner is.

Infrastructure failures (PostgreSQL or NATS unreachable) end the session; the runner waits with backoff and
starts a new one from the checkpoint. Programming errors in the runner itself propagate.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import nats.errors
import structlog
from opentelemetry.trace import TracerProvider

from rinnalla_events._applier import ActiveVersionDiffers, BatchApplier, Delivery, is_transient
from rinnalla_events._codec import EventCodec
from rinnalla_events._connections import ConnectionSource, PgConnection
from rinnalla_events._generations import (
    active_generation,
    checkpoint_event_ids,
    checkpoints,
    create_generation,
    ensure_sources,
    install_projections,
    lock_key,
    reset_checkpoint,
)
from rinnalla_events._locks import SessionLock
from rinnalla_events._projection import Projection, check_projection
from rinnalla_events._projection_metrics import ProjectionMetrics
from rinnalla_events._readers import DurableReader, OrderedReader, stream_last_seq, stream_still_holds
from rinnalla_events._rebuild import RebuildInProgress, rebuild
from rinnalla_events._subjects import Subjects

log = structlog.get_logger("rinnalla_events.projection")

OWNER_LOCK = "rinnalla.projection.owner"


@dataclass
class RunnerStats:
    """Counters of one runner object (for tests and health checks; Prometheus has the same and more)."""

    lock_attempts: int = 0
    sessions: int = 0
    batches: int = 0
    applied: int = 0
    parked: int = 0
    duplicates: int = 0
    empty_fetches: int = 0
    checkpoints: dict[str, int] = field(default_factory=dict)  # per stream: the last sequence committed


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        *,
        connections: ConnectionSource,
        schema: str,
        read_schema: str,
        codec: EventCodec,
        js: Any,
        subjects: Subjects,
        metrics: ProjectionMetrics | None = None,
        tracer_provider: TracerProvider | None = None,
        batch_size: int = 500,
        fetch_timeout: float = 2.0,
        catch_up_threshold: int = 1000,
        linger: float = 0.05,
        lock_poll_seconds: float = 1.0,
        lock_check_seconds: float = 5.0,
        ack_wait: float = 60.0,
        retry_max_seconds: float = 30.0,
    ) -> None:
        self.projection = check_projection(projection)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._connections = connections
        self._schema = schema
        self._read_schema = read_schema
        self._codec = codec
        self._js = js
        self._subjects = subjects
        self.metrics = metrics or ProjectionMetrics.create()
        self._tracer_provider = tracer_provider
        self._batch_size = batch_size
        self._fetch_timeout = fetch_timeout
        self._catch_up_threshold = catch_up_threshold
        self._linger = linger
        self._lock_poll = lock_poll_seconds
        self._lock_check = lock_check_seconds
        self._ack_wait = ack_wait
        self._retry_max = retry_max_seconds
        self._streams = {subjects.stream_name(s): subjects.all_of(s) for s in projection.sources}
        # Unique per consuming service: two services may read one stream with projections of the same name.
        self.durable_name = f"{schema}_{projection.name}"
        self.owner = asyncio.Event()  # set while this runner holds the lock and serves the active generation
        self.stats = RunnerStats()

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set (a worker task: `run_until_stopped({"name": runner.run})`)."""
        delay = 0.5
        while not stop.is_set():
            served_before = self.stats.batches
            try:
                await self._session(stop)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not _retryable(exc):
                    raise
                if self.stats.batches > served_before:
                    delay = 0.5
                log.warning(
                    "projection.session_failed",
                    projection=self.projection.name,
                    error=f"{type(exc).__name__}: {exc}",
                    retry_in=delay,
                )
                if await _wait(stop, delay):
                    return
                delay = min(delay * 2, self._retry_max)

    async def _session(self, stop: asyncio.Event) -> None:
        async with self._connections.acquire() as lock_conn:
            lock = SessionLock(lock_conn, OWNER_LOCK, lock_key(self._schema, self.projection.name))
            while not await self._try_lock(lock):
                if await _wait(stop, self._lock_poll):
                    return
            try:
                self.stats.sessions += 1
                log.info("projection.owner", projection=self.projection.name)
                if await self._prepare(stop):
                    self.owner.set()
                    await self._serve(stop, lock)
            finally:
                self.owner.clear()
                await lock.release()

    async def _try_lock(self, lock: SessionLock) -> bool:
        self.stats.lock_attempts += 1
        return await lock.try_acquire()

    async def _prepare(self, stop: asyncio.Event) -> bool:
        """An active generation of this version, with a checkpoint per source; False if stopped meanwhile."""
        name = self.projection.name
        streams = list(self._streams)
        while True:
            async with self._connections.acquire() as conn:
                await install_projections(conn, self._schema, self._read_schema)
                active = await active_generation(conn, self._schema, name)
                if active is None:
                    await create_generation(
                        conn, self._schema, self._read_schema, self.projection, streams, activate=True
                    )
                    return True
                if active.version == self.projection.version:
                    await ensure_sources(conn, self._schema, name, active.generation, streams)
                    return True
                if active.version > self.projection.version:
                    # A newer deployment rebuilt it; rebuilding back would fight it. Release the lock and wait
                    # (with backoff) until this process is replaced or the versions agree again.
                    raise ActiveVersionDiffers(name, active.version, self.projection.version)
            log.info(
                "projection.version_changed",
                projection=name,
                active_version=active.version,
                version=self.projection.version,
            )
            try:
                await rebuild(
                    self.projection,
                    connections=self._connections,
                    schema=self._schema,
                    read_schema=self._read_schema,
                    codec=self._codec,
                    js=self._js,
                    subjects=self._subjects,
                    batch_size=self._batch_size,
                    metrics=self.metrics,
                    tracer_provider=self._tracer_provider,
                )
            except RebuildInProgress:
                if await _wait(stop, self._lock_poll):
                    return False

    async def _serve(self, stop: asyncio.Event, lock: SessionLock) -> None:
        name = self.projection.name
        async with self._connections.acquire() as conn:
            active = await active_generation(conn, self._schema, name)
            if active is None:
                raise RuntimeError(f"projection {name} lost its active generation")
            seqs = await checkpoints(conn, self._schema, name, active.generation)
            ids = await checkpoint_event_ids(conn, self._schema, name, active.generation)
            for stream in self._streams:
                seqs[stream] = await self._verify_checkpoint(conn, active.generation, stream, seqs[stream], ids[stream])
        queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=self._batch_size)
        tasks = [
            asyncio.create_task(self._read(stream, filter_subject, seqs[stream] + 1, queue), name=f"{name}:{stream}")
            for stream, filter_subject in self._streams.items()
        ]
        tasks.append(asyncio.create_task(self._watch_lock(lock), name=f"{name}:lock"))
        try:
            await self._apply_loop(queue, tasks, stop)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _verify_checkpoint(
        self, conn: PgConnection, generation: int, stream: str, seq: int, event_id: Any
    ) -> int:
        """The checkpoint to start from: ours, unless the stream no longer holds the event we stopped at.

        Then the stream lost its tail or was recreated, and sequences after the loss may number other
        events than before. The runner reads the whole stream again; the per-stream version guard skips
        every event whose effect is already in the tables, so only what we never saw is applied.
        """
        if await stream_still_holds(self._js, stream, seq, event_id):
            return seq
        log.warning("projection.stream_rewritten", projection=self.projection.name, stream=stream, checkpoint=seq)
        await reset_checkpoint(conn, self._schema, self.projection.name, generation, stream)
        return 0

    async def _read(self, stream: str, filter_subject: str, start: int, queue: asyncio.Queue[Delivery]) -> None:
        next_seq = start
        last = await stream_last_seq(self._js, stream)
        if last - next_seq + 1 >= self._catch_up_threshold:
            log.info("projection.catching_up", projection=self.projection.name, stream=stream, behind=last - start + 1)
            async with OrderedReader(self._js, stream, filter_subject, next_seq, idle_timeout=self._fetch_timeout) as r:
                while next_seq <= last:
                    msg = await r.next()
                    if msg is None:
                        if await stream_last_seq(self._js, stream) < next_seq:
                            break
                        continue
                    delivery = Delivery.from_msg(stream, msg, ack=False)
                    await queue.put(delivery)
                    next_seq = delivery.seq + 1
        durable = DurableReader(
            self._js,
            stream,
            self.durable_name,
            filter_subject,
            ack_wait=self._ack_wait,
            max_ack_pending=max(1000, 4 * self._batch_size),
            request_batch=self._batch_size,
        )
        await durable.open(next_seq)
        try:
            while True:
                msgs = await durable.fetch(self._batch_size, self._fetch_timeout)
                if not msgs:
                    self.stats.empty_fetches += 1
                for msg in msgs:
                    if _delivered_before(msg):
                        self.metrics.redeliveries.labels(self.metrics.service, self.projection.name).inc()
                    await queue.put(Delivery.from_msg(stream, msg, ack=True))
        finally:
            await durable.close()

    async def _watch_lock(self, lock: SessionLock) -> None:
        """End the session if the lock's connection dies, or if another version's generation became active
        (a rebuild by a newer deployment): an idle runner would otherwise hold the lock it should give up."""
        while True:
            await asyncio.sleep(self._lock_check)
            version = await lock.query(
                f"SELECT version FROM {self._schema}.projection_generations WHERE projection = $1 AND state = 'active'",
                self.projection.name,
                within=self._lock_check,
            )
            if version is not None and version != self.projection.version:
                raise ActiveVersionDiffers(self.projection.name, version, self.projection.version)

    async def _apply_loop(
        self, queue: asyncio.Queue[Delivery], tasks: list[asyncio.Task[None]], stop: asyncio.Event
    ) -> None:
        applier = BatchApplier(
            self.projection,
            connections=self._connections,
            schema=self._schema,
            codec=self._codec,
            metrics=self.metrics,
            tracer_provider=self._tracer_provider,
        )
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                first = await self._next(queue, tasks, stopping)
                if first is None:
                    return
                batch = [first]
                await self._fill(queue, batch)
                outcome = await applier.apply(batch)
                self.stats.batches += 1
                self.stats.applied += outcome.applied
                self.stats.parked += len(outcome.parked)
                self.stats.duplicates += outcome.duplicates
                self.stats.checkpoints.update(outcome.checkpoints)
                for stream, pending in _pending_by_stream(batch).items():
                    self.metrics.lag.labels(self.metrics.service, self.projection.name, stream).set(pending)
                await _acknowledge(batch)
        finally:
            stopping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopping

    async def _next(
        self, queue: asyncio.Queue[Delivery], tasks: list[asyncio.Task[None]], stopping: asyncio.Task[Any]
    ) -> Delivery | None:
        with contextlib.suppress(asyncio.QueueEmpty):
            return queue.get_nowait()
        getter = asyncio.create_task(queue.get())
        try:
            done, _ = await asyncio.wait({getter, stopping, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not getter.done():
                getter.cancel()  # Queue.get is cancellation-safe: nothing is taken from the queue
        if getter in done:
            return getter.result()
        for task in tasks:
            if task.done():
                error = task.exception()
                raise error if error is not None else RuntimeError(f"{task.get_name()} ended")
        return None

    async def _fill(self, queue: asyncio.Queue[Delivery], batch: list[Delivery]) -> None:
        """Take what is queued; while the stream says more is pending, wait briefly for it (catch-up)."""
        while len(batch) < self._batch_size:
            try:
                batch.append(queue.get_nowait())
                continue
            except asyncio.QueueEmpty:
                pass
            if batch[-1].pending == 0:
                return
            try:
                batch.append(await asyncio.wait_for(queue.get(), self._linger))
            except TimeoutError:
                return


async def _acknowledge(batch: list[Delivery]) -> None:
    last: dict[str, Any] = {}
    for delivery in batch:
        if delivery.msg is not None:
            last[delivery.source] = delivery.msg
    for msg in last.values():
        await msg.ack()  # ack-all: acknowledges the whole batch of that stream


def _pending_by_stream(batch: list[Delivery]) -> dict[str, int]:
    return {delivery.source: delivery.pending for delivery in batch}


def _delivered_before(msg: Any) -> bool:
    try:
        return int(msg.metadata.num_delivered) > 1
    except (AttributeError, TypeError, ValueError):
        return False


def _retryable(exc: BaseException) -> bool:
    return is_transient(exc) or isinstance(exc, nats.errors.Error | ActiveVersionDiffers)


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True if `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return stop.is_set()
    return True
