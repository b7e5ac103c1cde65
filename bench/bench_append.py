"""Append throughput of the event store against bare asyncpg, a lock-based variant and the
`eventsourcing` library's PostgreSQL recorder.

Run: python3 dev.py run --group bench python bench/bench_append.py
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from common import rate, report, servers
from rinnalla_events import (
    AsyncpgConnections,
    EventCodec,
    EventMetadata,
    InMemoryKeyStore,
    PostgresEventStore,
    install_notify_trigger,
    install_store,
)
from rinnalla_events.sample_events import Counted, registry

BATCHES = 100
BATCH = 100
SINGLES = int(os.environ.get("BENCH_SINGLES", "2000"))
WRITERS = 8
META = EventMetadata(tenant="092", actor="bench")
LABEL = "x" * 400  # about 500-byte events, as in the reference measurements

BARE_TABLE = """
CREATE TABLE IF NOT EXISTS bare.events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE, stream_type text NOT NULL, stream_id text NOT NULL, version int NOT NULL,
    event_type text NOT NULL, schema_version int NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL, correlation_id uuid NOT NULL, payload jsonb NOT NULL,
    UNIQUE (stream_type, stream_id, version))
"""
BARE_INSERT = (
    "INSERT INTO bare.events (event_id, stream_type, stream_id, version, event_type, schema_version, actor,"
    " correlation_id, payload) VALUES ($1, 'child', $2, $3, 'test.Counted', 2, 'bench', $1, $4::jsonb)"
)


class LockingEventStore:
    """The alternative design: serialise appends with a transaction-scoped advisory lock held to commit.

    Readers could then read in plain position order, but every writer waits for the one before it to
    commit, so concurrent writers gain nothing.
    """

    def __init__(self, pool: asyncpg.Pool, schema: str, codec: EventCodec) -> None:
        self.pool = pool
        self.schema = schema
        self.codec = codec

    async def append(self, stream_type: str, stream_id: str, events: Any, **kwargs: Any) -> Any:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(4242)")
            inner = PostgresEventStore(_Borrowed(conn), self.schema, self.codec)
            return await inner.append(stream_type, stream_id, events, **kwargs)


class _Borrowed:
    """One connection, already in a transaction, lent to a store."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        yield self.conn


async def main() -> None:
    with servers() as srv:
        admin = await asyncpg.connect(srv.postgres_url)
        await admin.execute("DROP DATABASE IF EXISTS bench_append")
        await admin.execute("CREATE DATABASE bench_append")
        await admin.close()
        dsn = srv.postgres_url.rsplit("/", 1)[0] + "/bench_append"
        pool = await asyncpg.create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
        async with pool.acquire() as conn:
            await install_store(conn, "svc")
            await install_store(conn, "locked")
            await install_store(conn, "notifying")
            await install_notify_trigger(conn, "notifying")  # what every service's revision 0001 installs
            await conn.execute("CREATE SCHEMA IF NOT EXISTS bare")
            await conn.execute(BARE_TABLE)
        connections = AsyncpgConnections(pool)
        codec = EventCodec(registry(), InMemoryKeyStore())
        store = PostgresEventStore(connections, "svc", codec)
        locked = LockingEventStore(pool, "locked", codec)
        notifying = PostgresEventStore(connections, "notifying", codec)
        payload = json.dumps({"n": 1, "label": LABEL})

        async def ours_batched() -> int:
            for _ in range(BATCHES):
                events = [Counted(n=i, label=LABEL) for i in range(BATCH)]
                await store.append("child", str(uuid.uuid4()), events, expected_version=0, metadata=META)
            return BATCHES * BATCH

        async def bare_batched() -> int:
            for _ in range(BATCHES):
                sid = str(uuid.uuid4())
                rows = [(uuid.uuid4(), sid, v, payload) for v in range(1, BATCH + 1)]
                async with pool.acquire() as conn, conn.transaction():
                    await conn.executemany(BARE_INSERT, rows)
            return BATCHES * BATCH

        async def concurrently(one: Any) -> int:
            per_writer = SINGLES // WRITERS

            async def writer() -> None:
                for _ in range(per_writer):
                    await one()

            await asyncio.gather(*(writer() for _ in range(WRITERS)))
            return per_writer * WRITERS

        async def ours_single() -> None:
            await store.append(
                "child", str(uuid.uuid4()), [Counted(n=1, label=LABEL)], expected_version=0, metadata=META
            )

        async def notifying_single() -> None:
            await notifying.append(
                "child", str(uuid.uuid4()), [Counted(n=1, label=LABEL)], expected_version=0, metadata=META
            )

        async def after_commit_single() -> None:
            """The append without the trigger, then a NOTIFY in a transaction of its own that does not wait
            for its commit to reach the disk (what the store does with `wake_channel`)."""
            await store.append(
                "child", str(uuid.uuid4()), [Counted(n=1, label=LABEL)], expected_version=0, metadata=META
            )
            async with pool.acquire() as conn:
                await conn.execute(
                    "BEGIN; SET LOCAL synchronous_commit TO off; SELECT pg_notify('bench_wake', ''); COMMIT"
                )

        async def locked_single() -> None:
            await locked.append(
                "child", str(uuid.uuid4()), [Counted(n=1, label=LABEL)], expected_version=0, metadata=META
            )

        async def bare_single() -> None:
            event_id = uuid.uuid4()
            async with pool.acquire() as conn:
                await conn.execute(BARE_INSERT, event_id, str(event_id), 1, payload)

        await ours_batched()  # warm-up
        lines = []
        bare = await rate(bare_batched)
        ours = await rate(ours_batched)
        lines.append(report("batched append (100 events/transaction)", ours, bare, "bare asyncpg executemany", 0.6))
        bare = await rate(lambda: concurrently(bare_single))
        ours = await rate(lambda: concurrently(ours_single))
        notify = await rate(lambda: concurrently(notifying_single))
        after_commit = await rate(lambda: concurrently(after_commit_single))
        lock = await rate(lambda: concurrently(locked_single))
        lines.append(report("single-event appends, 8 writers, no trigger", ours, bare, "bare single-row inserts", 0.8))
        lines.append(
            report("single-event appends, 8 writers, NOTIFY trigger", notify, bare, "bare single-row inserts", 0.8)
        )
        lines.append(
            report(
                "single-event appends, 8 writers, NOTIFY after commit (synchronous_commit off)",
                after_commit,
                bare,
                "bare single-row inserts",
                0.8,
            )
        )
        lines.append(report("  lock-based variant, 8 writers", lock, bare, "bare single-row inserts"))
        lines.append(report("  xmin design vs lock design", ours, lock, "lock design"))
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        await pool.close()
        if not os.environ.get("BENCH_NO_PEER"):
            lines += await peer(dsn, ours_rate_batched=None)
        del lines  # each figure was printed as it was measured


async def peer(dsn: str, ours_rate_batched: float | None) -> list[str]:
    """The same workloads through eventsourcing's PostgreSQL recorder, the peer to beat."""
    try:
        from eventsourcing.persistence import StoredEvent
        from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    except ImportError:
        print("eventsourcing not installed: run with `python3 dev.py run --group bench`")
        return []
    parts = urlsplit(dsn)
    datastore = PostgresDatastore(
        dbname=parts.path.lstrip("/"),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        pool_size=WRITERS,
    )
    recorder = PostgresApplicationRecorder(datastore, events_table_name="es_events")
    recorder.create_table()
    state = json.dumps({"n": 1, "label": LABEL}).encode()

    def batch() -> None:
        oid = uuid.uuid4()
        recorder.insert_events([StoredEvent(oid, v, "test.Counted", state) for v in range(1, BATCH + 1)])

    def single() -> None:
        recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "test.Counted", state)])

    async def es_batched() -> int:
        for _ in range(BATCHES):
            await asyncio.to_thread(batch)
        return BATCHES * BATCH

    async def es_concurrent() -> int:
        per = SINGLES // WRITERS

        async def writer() -> None:
            for _ in range(per):
                await asyncio.to_thread(single)

        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        return per * WRITERS

    es_b = await rate(es_batched)
    es_c = await rate(es_concurrent)
    datastore.close()
    pool = await asyncpg.create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
    store = PostgresEventStore(AsyncpgConnections(pool), "svc", EventCodec(registry(), InMemoryKeyStore()))

    async def ours_b() -> int:
        for _ in range(BATCHES):
            await store.append(
                "child",
                str(uuid.uuid4()),
                [Counted(n=i, label=LABEL) for i in range(BATCH)],
                expected_version=0,
                metadata=META,
            )
        return BATCHES * BATCH

    async def ours_c() -> int:
        per = SINGLES // WRITERS

        async def writer() -> None:
            for _ in range(per):
                await store.append(
                    "child", str(uuid.uuid4()), [Counted(n=1, label=LABEL)], expected_version=0, metadata=META
                )

        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        return per * WRITERS

    ob = await rate(ours_b)
    oc = await rate(ours_c)
    await pool.close()
    return [
        report("peer: batched append, ours vs eventsourcing recorder", ob, es_b, "eventsourcing"),
        report("peer: 8 concurrent single appends, ours vs eventsourcing recorder", oc, es_c, "eventsourcing"),
    ]


if __name__ == "__main__":
    asyncio.run(main())
