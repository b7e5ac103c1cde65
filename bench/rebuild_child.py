"""Rebuilds the sample projection from the start of the stream in its own process, and reports its
rate and peak memory as one JSON line (bench_log.py runs it)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import asyncpg
import nats
import psutil
from rinnalla_events import AsyncpgConnections, EventCodec, InMemoryKeyStore, Subjects, rebuild
from rinnalla_events.sample_events import registry
from rinnalla_events.sample_projection import BatchedChildDirectory


def peak_rss_mib() -> float:
    """This process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries the parent's peak across
    fork and exec into it, so it would report the benchmark driver's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


async def main(dsn: str, nats_url: str, prefix: str) -> None:
    connections = AsyncpgConnections(await asyncpg.create_pool(dsn, min_size=1, max_size=4))
    nc = await nats.connect(nats_url)
    process = psutil.Process()
    marks: list[float] = []  # RSS at every tenth of the way
    next_mark = [0.1]

    def on_progress(done: int, total: int) -> None:
        while total and done / total >= next_mark[0] - 1e-9 and next_mark[0] <= 1.0:
            marks.append(process.memory_info().rss / 2**20)
            next_mark[0] = round(next_mark[0] + 0.1, 1)

    start = time.perf_counter()
    result = await rebuild(
        BatchedChildDirectory(),
        connections=connections,
        schema="svc",
        read_schema="svc_read",
        codec=EventCodec(registry(), InMemoryKeyStore()),
        js=nc.jetstream(),
        subjects=Subjects(prefix),
        batch_size=1000,
        on_progress=on_progress,
    )
    seconds = time.perf_counter() - start
    await nc.close()
    await connections.close()
    peak = peak_rss_mib()
    print(
        json.dumps(
            {
                "events": result.events,
                "seconds": seconds,
                "rate": result.events / seconds,
                "peak_rss_mib": peak,
                "rss_mib_at": marks,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
