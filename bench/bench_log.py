"""Relay and projection throughput against bare nats-py, and the 1M-event rebuild.

Run: python3 dev.py run python bench/bench_log.py            (BENCH_EVENTS=1000000 by default)

1. seeds BENCH_EVENTS events (~500 bytes each) into a service's event store;
2. relay: our Relay publishing the whole store vs bare nats-py `publish_async` of the same envelopes;
3. projection catch-up: a blue/green rebuild of a sample projection over the whole stream (in a child
   process, so its peak memory is its own) vs a bare nats-py pull consumer doing fetch(1000) + ack.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import nats
from common import report, servers
from rinnalla_events import EventMetadata, Relay
from rinnalla_events.sample_events import Counted, registry
from rinnalla_events.testkit import EventLogKit

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
PER_APPEND = 1000
BASELINE_SAMPLE = min(EVENTS, 200_000)
LABEL = "x" * 400
PREFIX = "bench"


async def seed(kit: EventLogKit) -> None:
    meta = EventMetadata(tenant="092", actor="bench")
    start = time.perf_counter()
    for i in range(EVENTS // PER_APPEND):
        events = [Counted(n=j, label=LABEL) for j in range(PER_APPEND)]
        await kit.store.append("child", f"c{i}", events, expected_version=0, metadata=meta)
    print(f"seeded {EVENTS:,} events in {time.perf_counter() - start:.0f}s", flush=True)


async def bare_publish(nats_url: str, payloads: list[bytes]) -> float:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await js.add_stream(name="BARE_PUBLISH", subjects=["bare.publish"])
    start = time.perf_counter()
    for i, payload in enumerate(payloads):
        await js.publish_async("bare.publish", payload, headers={"Nats-Msg-Id": str(i)})
    await js.publish_async_completed()
    elapsed = time.perf_counter() - start
    await js.delete_stream("BARE_PUBLISH")
    await nc.close()
    return len(payloads) / elapsed


async def bare_fetch_ack(nats_url: str, stream: str) -> float:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    sub = await js.pull_subscribe("", durable=f"bare{uuid.uuid4().hex[:6]}", stream=stream)
    done = 0
    start = time.perf_counter()
    while done < EVENTS:
        for msg in await sub.fetch(1000, timeout=5):
            await msg.ack()
            done += 1
    elapsed = time.perf_counter() - start
    await nc.close()
    return done / elapsed


async def bare_ordered_executemany(nats_url: str, stream: str, subject: str, dsn: str) -> float:
    """The catch-up baseline: an ordered consumer over the whole stream, each body parsed, and every 1,000
    messages written with one executemany in one transaction."""
    conn = await asyncpg.connect(dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS bare_rows (event_id uuid PRIMARY KEY, stream_id text, n int)")
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    sub = await js.subscribe(subject, stream=stream, ordered_consumer=True)
    done = 0
    start = time.perf_counter()
    while done < EVENTS:
        rows = []
        while len(rows) < 1000 and done + len(rows) < EVENTS:
            msg = await sub.next_msg(timeout=5)
            envelope = json.loads(msg.data)
            rows.append((uuid.UUID(envelope["event_id"]), envelope["stream_id"], envelope["payload"].get("n", 0)))
        async with conn.transaction():
            await conn.executemany("INSERT INTO bare_rows VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING", rows)
        done += len(rows)
    elapsed = time.perf_counter() - start
    await sub.unsubscribe()
    await nc.close()
    await conn.close()
    return done / elapsed


async def main() -> None:
    with servers() as srv:
        admin = await asyncpg.connect(srv.postgres_url)
        await admin.execute("DROP DATABASE IF EXISTS bench_log WITH (FORCE)")
        await admin.execute("CREATE DATABASE bench_log")
        await admin.close()
        dsn = srv.postgres_url.rsplit("/", 1)[0] + "/bench_log"
        kit = await EventLogKit.start(dsn, srv.nats_url, PREFIX, registry())
        await seed(kit)

        sample = [s.envelope.to_wire() for s in await kit.store.read_all(kit.published, limit=BASELINE_SAMPLE)]
        bare = await bare_publish(srv.nats_url, sample)
        del sample
        relay = Relay(kit.store, kit.connections, kit.nc, kit.subjects, kit.service)  # the defaults services run with
        start = time.perf_counter()
        published = await relay.publish_pending()
        relay_rate = published / (time.perf_counter() - start)
        report(f"relay throughput ({published:,} events)", relay_rate, bare, "bare nats-py publish_async", 0.7)

        bare_consume = await bare_fetch_ack(srv.nats_url, kit.stream)
        bare_ordered = await bare_ordered_executemany(srv.nats_url, kit.stream, kit.subjects.all_of(kit.service), dsn)
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).with_name("rebuild_child.py")),
            dsn,
            srv.nats_url,
            PREFIX,
            stdout=asyncio.subprocess.PIPE,
        )
        stdout, _ = await child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"the rebuild process failed with exit code {child.returncode}")
        result = json.loads(stdout.decode().strip().splitlines()[-1])
        report(
            f"projection catch-up (rebuild of {result['events']:,} events)",
            result["rate"],
            bare_ordered,
            "bare ordered consumer + executemany",
            0.7,
        )
        report(
            f"projection catch-up (rebuild of {result['events']:,} events)",
            result["rate"],
            bare_consume,
            "bare nats-py fetch(1000)+ack (the earlier baseline)",
            0.5,
        )
        print(
            f"rebuild of {result['events']:,} events took {result['seconds']:.0f}s (target < 180s); "
            f"peak RSS {result['peak_rss_mib']:.0f} MiB (target < 512); RSS at each tenth: "
            f"{', '.join(f'{m:.0f}' for m in result['rss_mib_at'])} MiB",
            flush=True,
        )
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        await kit.close()


if __name__ == "__main__":
    asyncio.run(main())
