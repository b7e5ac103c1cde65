"""Blue/green rebuild: build generation N+1 from the start of the log beside N, then switch the views.

While the rebuild runs, generation N keeps serving readers and the live runner keeps updating it. The
rebuild reads with ordered consumers, commits every `batch_size` events (rows and checkpoint together, like
the runner), and reports progress. When it has caught up with the stream, it tries to switch; the switch
only happens if the new generation is at or past the live generation's checkpoint on every source (checked
under the lock every live batch takes), otherwise it reads on and tries again. After the switch the live
runner continues on N+1 from N+1's checkpoint, and N's tables are dropped.

One rebuild per projection at a time (a session advisory lock); an interrupted rebuild of the same
projection version resumes from its checkpoint.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from opentelemetry.trace import TracerProvider

from rinnalla_events._applier import BatchApplier, Delivery
from rinnalla_events._codec import EventCodec
from rinnalla_events._connections import ConnectionSource, PgConnection
from rinnalla_events._generations import (
    BUILDING,
    checkpoint_event_ids,
    checkpoints,
    create_generation,
    drop_generation,
    ensure_sources,
    generations,
    install_projections,
    lock_key,
    reset_checkpoint,
    try_switch,
)
from rinnalla_events._locks import session_lock
from rinnalla_events._projection import Projection, Tables, check_projection
from rinnalla_events._projection_metrics import ProjectionMetrics
from rinnalla_events._readers import OrderedReader, stream_last_seq, stream_still_holds
from rinnalla_events._subjects import Subjects

log = structlog.get_logger("rinnalla_events.projection")

ProgressCallback = Callable[[int, int], Awaitable[None] | None]
REBUILD_LOCK = "rinnalla.projection.rebuild"


class RebuildInProgress(RuntimeError):
    """Another rebuild of the same projection holds the rebuild lock."""


@dataclass(frozen=True)
class RebuildResult:
    projection: str
    generation: int
    previous: int | None
    events: int  # messages read and committed by this rebuild
    dropped_previous: bool


async def rebuild(
    projection: Projection,
    *,
    connections: ConnectionSource,
    schema: str,
    read_schema: str,
    codec: EventCodec,
    js: Any,
    subjects: Subjects,
    batch_size: int = 500,
    on_progress: ProgressCallback | None = None,
    drop_previous: bool = True,
    metrics: ProjectionMetrics | None = None,
    tracer_provider: TracerProvider | None = None,
    idle_timeout: float = 1.0,
) -> RebuildResult:
    """Rebuild `projection` into a new generation and switch readers to it. Raises RebuildInProgress."""
    check_projection(projection)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    async with session_lock(connections, REBUILD_LOCK, lock_key(schema, projection.name)) as held:
        if not held:
            raise RebuildInProgress(f"a rebuild of {projection.name} is already running")
        job = _Rebuild(
            projection,
            connections=connections,
            schema=schema,
            read_schema=read_schema,
            codec=codec,
            js=js,
            subjects=subjects,
            batch_size=batch_size,
            on_progress=on_progress,
            metrics=metrics or ProjectionMetrics.create(),
            tracer_provider=tracer_provider,
            idle_timeout=idle_timeout,
        )
        return await job.run(drop_previous=drop_previous)


class _Rebuild:
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
        batch_size: int,
        on_progress: ProgressCallback | None,
        metrics: ProjectionMetrics,
        tracer_provider: TracerProvider | None,
        idle_timeout: float,
    ) -> None:
        self.projection = projection
        self._connections = connections
        self._schema = schema
        self._read_schema = read_schema
        self._codec = codec
        self._js = js
        self._subjects = subjects
        self._batch_size = batch_size
        self._on_progress = on_progress
        self._metrics = metrics
        self._tracer_provider = tracer_provider
        self._idle = idle_timeout
        self._streams = {subjects.stream_name(service): subjects.all_of(service) for service in projection.sources}
        self._done: dict[str, int] = {}
        self._targets: dict[str, int] = {}

    async def run(self, *, drop_previous: bool) -> RebuildResult:
        name = self.projection.name
        async with self._connections.acquire() as conn:
            await install_projections(conn, self._schema, self._read_schema)
            tables = await self._building_generation(conn)
        applier = BatchApplier(
            self.projection,
            connections=self._connections,
            schema=self._schema,
            codec=self._codec,
            metrics=self._metrics,
            generation=tables.generation,
            tracer_provider=self._tracer_provider,
        )
        log.info("projection.rebuild_started", projection=name, generation=tables.generation)
        events = 0
        while True:
            async with self._connections.acquire() as conn:
                self._done = await checkpoints(conn, self._schema, name, tables.generation)
                ids = await checkpoint_event_ids(conn, self._schema, name, tables.generation)
                for stream, seq in self._done.items():
                    if not await stream_still_holds(self._js, stream, seq, ids[stream]):
                        log.warning("projection.stream_rewritten", projection=name, stream=stream, checkpoint=seq)
                        await reset_checkpoint(conn, self._schema, name, tables.generation, stream)
                        self._done[stream] = 0
            for stream in self._streams:
                self._targets[stream] = max(await stream_last_seq(self._js, stream), self._targets.get(stream, 0))
            for stream, filter_subject in self._streams.items():
                events += await self._catch_up(applier, stream, filter_subject)
            async with self._connections.acquire() as conn:
                attempt = await try_switch(conn, self._schema, self._read_schema, self.projection, tables.generation)
            if attempt.switched:
                break
            for stream, gap in attempt.behind.items():
                live = self._done.get(stream, 0) + gap
                if live > await stream_last_seq(self._js, stream):
                    raise RuntimeError(
                        f"the live generation of {name} is at {stream} #{live}, past the stream's end: the stream"
                        " lost messages; restart the runner (it resets its checkpoint) and rebuild again"
                    )
                self._targets[stream] = max(self._targets.get(stream, 0), live)
            log.info("projection.rebuild_catching_up", projection=name, behind=dict(attempt.behind))
        dropped = False
        if drop_previous and attempt.previous is not None:
            async with self._connections.acquire() as conn:
                await drop_generation(conn, self._schema, self.projection, attempt.previous)
            dropped = True
        self._metrics.rebuild_done.labels(self._metrics.service, name).set(0)
        self._metrics.rebuild_total.labels(self._metrics.service, name).set(0)
        log.info(
            "projection.rebuild_switched",
            projection=name,
            generation=tables.generation,
            previous=attempt.previous,
            events=events,
        )
        return RebuildResult(name, tables.generation, attempt.previous, events, dropped)

    async def _building_generation(self, conn: PgConnection) -> Tables:
        """Resume an interrupted rebuild of this version, or start a new generation."""
        streams = list(self._streams)
        for generation in await generations(conn, self._schema, self.projection.name):
            if generation.state != BUILDING:
                continue
            if generation.version == self.projection.version:
                await ensure_sources(conn, self._schema, self.projection.name, generation.generation, streams)
                return self.projection.tables_for(self._schema, generation.generation)
            await drop_generation(conn, self._schema, self.projection, generation.generation)
        return await create_generation(conn, self._schema, self._read_schema, self.projection, streams, activate=False)

    async def _catch_up(self, applier: BatchApplier, stream: str, filter_subject: str) -> int:
        """Apply `stream` from the checkpoint to the target, in batches; the number of messages read."""
        target = self._targets.get(stream, 0)
        position = self._done.get(stream, 0)
        if position >= target:
            return 0
        count = 0
        async with OrderedReader(self._js, stream, filter_subject, position + 1, idle_timeout=self._idle) as reader:
            while position < target:
                batch: list[Delivery] = []
                while len(batch) < self._batch_size and (not batch or batch[-1].seq < target):
                    msg = await reader.next()
                    if msg is None:
                        if batch:
                            break
                        last = await stream_last_seq(self._js, stream)
                        if last <= position:  # the stream ends before the target we were told
                            self._targets[stream] = target = last
                            return count
                        continue
                    batch.append(Delivery.from_msg(stream, msg, ack=False))
                if not batch:
                    break
                await applier.apply(batch)
                position = batch[-1].seq
                count += len(batch)
                self._done[stream] = position
                await self._progress()
        return count

    async def _progress(self) -> None:
        done = sum(self._done.values())
        total = max(sum(self._targets.values()), done)
        self._metrics.rebuild_done.labels(self._metrics.service, self.projection.name).set(done)
        self._metrics.rebuild_total.labels(self._metrics.service, self.projection.name).set(total)
        if self._on_progress is not None:
            result = self._on_progress(done, total)
            if inspect.isawaitable(result):
                await result
