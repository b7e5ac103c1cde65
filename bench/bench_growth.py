"""Does the store slow down as it grows? Append rate (8 concurrent single-event appends, beside bare
single-row inserts into a table of the same size) and the latency of reading one 10-event stream, at
each size of the log.

Run: python3 dev.py run python bench/bench_growth.py [SIZES...]      (default 0 1000000 5000000)

The log is grown with one INSERT ... SELECT per 200,000 events straight into the events table (about
500-byte payloads, 10-event streams); the measured appends and reads go through `PostgresEventStore`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid

import asyncpg
from common import servers
from rinnalla_events import (
    AsyncpgConnections,
    EventCodec,
    EventMetadata,
    InMemoryKeyStore,
    PostgresEventStore,
    install_store,
)
from rinnalla_events.sample_events import Counted, registry

WRITERS = 8
APPENDS = int(os.environ.get("BENCH_APPENDS", "800"))
READS = 500
LABEL = "x" * 400
META = EventMetadata(tenant="092", actor="bench")
CHUNK = 200_000


async def grow(pool: asyncpg.Pool, schema: str, start: int, end: int) -> None:
    payload = json.dumps({"n": 1, "label": LABEL})
    for first in range(start, end, CHUNK):
        last = min(end, first + CHUNK)
        async with pool.acquire() as conn:
            await conn.execute(
                f"""INSERT INTO {schema}.events (event_id, stream_type, stream_id, version, event_type, schema_version,
                        occurred_at, tenant, actor, correlation_id, payload)
                    SELECT gen_random_uuid(), 'child', 'seed-' || (g / 10), g % 10 + 1, 'test.Counted', 2, now(),
                           '092', 'bench', gen_random_uuid(), $3::jsonb
                      FROM generate_series($1::bigint, $2::bigint - 1) AS g""",
                first,
                last,
                payload,
            )


async def appends(store: PostgresEventStore) -> float:
    per = APPENDS // WRITERS

    async def writer() -> None:
        for _ in range(per):
            await store.append("child", str(uuid.uuid4()), [Counted(n=1, label=LABEL)], expected_version=0,
                               metadata=META)  # fmt: skip

    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return per * WRITERS / (time.perf_counter() - start)


async def bare_inserts(pool: asyncpg.Pool) -> float:
    per = APPENDS // WRITERS
    payload = json.dumps({"n": 1, "label": LABEL})

    async def writer() -> None:
        for _ in range(per):
            event_id = uuid.uuid4()
            async with pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO bare.events (event_id, stream_type, stream_id, version, event_type, schema_version,"
                    " occurred_at, tenant, actor, correlation_id, payload)"
                    " VALUES ($1, 'child', $2, 1, 'test.Counted', 2, now(), '092', 'bench', $1, $3::jsonb)",
                    event_id,
                    str(event_id),
                    payload,
                )

    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return per * WRITERS / (time.perf_counter() - start)


async def reads(store: PostgresEventStore, streams: list[str]) -> tuple[float, float]:
    times = []
    for _ in range(READS):
        stream_id = random.choice(streams)
        start = time.perf_counter()
        events = await store.read_stream("child", stream_id)
        times.append(time.perf_counter() - start)
        assert len(events) == 10
    q = statistics.quantiles(times, n=100)
    return q[49], q[98]


async def main(sizes: list[int]) -> None:
    with servers() as srv:
        admin = await asyncpg.connect(srv.postgres_url)
        await admin.execute("DROP DATABASE IF EXISTS bench_growth WITH (FORCE)")
        await admin.execute("CREATE DATABASE bench_growth")
        await admin.close()
        dsn = srv.postgres_url.rsplit("/", 1)[0] + "/bench_growth"
        pool = await asyncpg.create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
        async with pool.acquire() as conn:
            await install_store(conn, "svc")
            await install_store(conn, "bare")  # the same table; bare inserts skip the store's statement
        store = PostgresEventStore(AsyncpgConnections(pool), "svc", EventCodec(registry(), InMemoryKeyStore()))
        readable = []  # 10-event streams written through the store, read back at each size
        for i in range(50):
            stream_id = f"read-{i}"
            await store.append("child", stream_id, [Counted(n=n, label=LABEL) for n in range(10)], expected_version=0,
                               metadata=META)  # fmt: skip
            readable.append(stream_id)
        size = 0
        for target in sizes:
            start = time.perf_counter()
            await grow(pool, "svc", size, target)
            await grow(pool, "bare", size, target)
            async with pool.acquire() as conn:
                await conn.execute("ANALYZE svc.events")
                await conn.execute("ANALYZE bare.events")
            grown = time.perf_counter() - start
            size = target
            bare = await bare_inserts(pool)
            ours = await appends(store)
            p50, p99 = await reads(store, readable)
            print(
                f"{size:>9,} events (grown in {grown:.0f}s): 8 writers {ours:,.0f} appends/s vs bare inserts"
                f" {bare:,.0f}/s -> {ours / bare:.2f}; read one 10-event stream p50 {p50 * 1000:.2f} ms,"
                f" p99 {p99 * 1000:.2f} ms; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                flush=True,
            )
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [0, 1_000_000, 5_000_000]))
