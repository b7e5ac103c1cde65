"""A kit for testing projections against real PostgreSQL and NATS (the library's tests; services may use it).

`EventLogKit.start` installs an event store in a fresh database, connects to JetStream and creates the
service's stream. `publish_new` publishes the events appended since its last call exactly as the outbox
relay does (subject, body and headers from `subjects.py`), so projection tests need no relay running.
Projections read with `reader_codec`, whose key cache is separate from the writer's, like another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import nats

from rinnalla_events._codec import EventCodec, RecordedEvent
from rinnalla_events._connections import AsyncpgConnections
from rinnalla_events._crypto import PostgresKeyStore
from rinnalla_events._ddl import install_store
from rinnalla_events._envelope import Envelope
from rinnalla_events._erasure import SubjectErased
from rinnalla_events._generations import install_projections
from rinnalla_events._lag import projection_lag
from rinnalla_events._projection import Projection
from rinnalla_events._readers import stream_last_seq
from rinnalla_events._rebuild import RebuildResult, rebuild
from rinnalla_events._registry import EventRegistry
from rinnalla_events._store import Cursor, PostgresEventStore
from rinnalla_events._subjects import Subjects, ensure_stream, headers_for
from rinnalla_events._subscriber import ProjectionRunner


async def eventually(condition: Callable[[], bool | Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until `condition()` holds (TimeoutError after `within` seconds): for states other tasks reach."""
    async with asyncio.timeout(within):
        while True:
            result = condition()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.01)


class BackgroundRunner:
    """A runner serving in a task of its own until the test stops (or cancels) it."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(runner.run(self.stop_event))

    async def stop(self, *, within: float = 20.0) -> None:
        """Ask it to stop (it finishes its batch) and wait; raises what the runner raised."""
        self.stop_event.set()
        async with asyncio.timeout(within):
            await self.task

    async def kill(self) -> None:
        """Cancel it wherever it is, mid-transaction included, as a dying process would stop."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@dataclass
class EventLogKit:
    connections: AsyncpgConnections
    store: PostgresEventStore
    keys: PostgresKeyStore
    reader_codec: EventCodec
    nc: Any
    js: Any
    subjects: Subjects
    service: str
    schema: str
    read_schema: str
    published: Cursor = field(default_factory=Cursor)

    @classmethod
    async def start(
        cls,
        database_url: str,
        nats_url: str,
        subject_prefix: str,
        registry: EventRegistry,
        *,
        service: str = "svc",
        schema: str = "svc",
        read_schema: str = "svc_read",
    ) -> EventLogKit:
        if not registry.knows(SubjectErased.event_type):
            registry.register(SubjectErased)  # so `history` can decode erasures too
        master_key = os.urandom(32)
        connections = AsyncpgConnections(await asyncpg.create_pool(database_url, min_size=1, max_size=12))
        async with connections.acquire() as conn:
            await install_store(conn, schema)
            await install_projections(conn, schema, read_schema)
        keys = PostgresKeyStore(connections, master_key)
        store = PostgresEventStore(connections, schema, EventCodec(registry, keys))
        reader_keys = PostgresKeyStore(connections, master_key, cache_seconds=3600)
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        subjects = Subjects(subject_prefix)
        await ensure_stream(js, subjects, service)
        return cls(
            connections, store, keys, EventCodec(registry, reader_keys), nc, js, subjects, service, schema, read_schema
        )

    async def close(self) -> None:
        await self.nc.close()
        await self.connections.close()

    @property
    def stream(self) -> str:
        return self.subjects.stream_name(self.service)

    async def publish_new(self) -> int:
        """Publish every committed event not yet published, in log order, as the relay does."""
        count = 0
        while await self.store.count_after(self.published) > 0:
            batch = await self.store.read_all(self.published, limit=500)
            if not batch:  # an older transaction is still open (a runner's DDL, say): the log waits for it
                await asyncio.sleep(0.01)
                continue
            for stored in batch:
                await self.publish_envelope(stored.envelope)
                count += 1
            self.published = batch[-1].cursor
        return count

    async def publish_envelope(self, envelope: Envelope, *, with_msg_id: bool = True) -> int:
        headers = headers_for(envelope)
        if not with_msg_id:  # what a republish after JetStream's duplicate window looks like to consumers
            del headers["Nats-Msg-Id"]
        ack = await self.js.publish(
            self.subjects.subject_for(self.service, envelope), envelope.to_wire(), headers=headers
        )
        return int(ack.seq)

    async def publish_raw(self, subject_tail: str, data: bytes, headers: dict[str, str] | None = None) -> int:
        ack = await self.js.publish(f"{self.subjects.prefix}.{self.service}.{subject_tail}", data, headers=headers)
        return int(ack.seq)

    def runner(self, projection: Projection, **options: Any) -> ProjectionRunner:
        options.setdefault("fetch_timeout", 0.5)
        options.setdefault("lock_poll_seconds", 0.1)
        return ProjectionRunner(
            projection,
            connections=self.connections,
            schema=self.schema,
            read_schema=self.read_schema,
            codec=self.reader_codec,
            js=self.js,
            subjects=self.subjects,
            **options,
        )

    async def rebuild(self, projection: Projection, **options: Any) -> RebuildResult:
        options.setdefault("idle_timeout", 0.5)
        return await rebuild(
            projection,
            connections=self.connections,
            schema=self.schema,
            read_schema=self.read_schema,
            codec=self.reader_codec,
            js=self.js,
            subjects=self.subjects,
            **options,
        )

    async def lag(self, projection: Projection) -> int:
        lags = await projection_lag(
            [projection], connections=self.connections, schema=self.schema, js=self.js, subjects=self.subjects
        )
        return lags[projection.name]

    async def wait_caught_up(self, target: Projection | ProjectionRunner, *, within: float = 30.0) -> None:
        """Wait until every message in the stream is applied (TimeoutError after `within`).

        Given a projection: until its active generation's checkpoint reaches the stream's end. Given a
        runner: until that runner committed it, and has counted what it committed in its `stats`.
        """
        if isinstance(target, ProjectionRunner):
            runner = target

            async def runner_caught_up() -> bool:
                last = await stream_last_seq(self.js, self.stream)
                return runner.stats.checkpoints.get(self.stream, 0) >= last

            await eventually(runner_caught_up, within=within)
            return
        projection = target

        async def caught_up() -> bool:
            return await self.lag(projection) == 0

        await eventually(caught_up, within=within)

    async def history(self) -> list[RecordedEvent]:
        """Every stored event in log order, decoded now (erased subjects' fields read as erased)."""
        events: list[RecordedEvent] = []
        cursor = Cursor()
        while batch := await self.store.read_all(cursor, limit=500):
            events.extend([await self.store.codec.decode(stored.envelope) for stored in batch])
            cursor = batch[-1].cursor
        return events

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        async with self.connections.acquire() as conn:
            return [dict(r) for r in await conn.fetch(sql, *args)]
