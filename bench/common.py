"""Shared set-up for benchmarks: real servers (embedded unless DATABASE_URL / NATS_URL are set)."""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rinnalla_runtime.embedded import EmbeddedNats, EmbeddedPostgres


@dataclass(frozen=True)
class Servers:
    postgres_url: str
    nats_url: str


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """Benchmarks use durable settings (fsync on): the ratios must reflect a real deployment."""
    tmp = Path(tempfile.mkdtemp(prefix="rinnalla-bench-"))
    pg = nats = None
    try:
        pg_url = os.environ.get("DATABASE_URL")
        if not pg_url:
            pg = EmbeddedPostgres(tmp / "pg").start()
            pg_url = pg.url
        nats_url = os.environ.get("NATS_URL")
        if not nats_url:
            nats = EmbeddedNats(tmp / "nats").start()
            nats_url = nats.url
        yield Servers(pg_url.replace("postgresql+asyncpg://", "postgresql://"), nats_url)
    finally:
        if nats:
            nats.stop()
        if pg:
            pg.stop()


async def rate(fn: Callable[[], Awaitable[int]], repeats: int = 3) -> float:
    """Median events per second over `repeats` runs of fn, which returns how many events it did."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        count = await fn()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def report(name: str, ours: float, baseline: float, baseline_name: str, target: float | None = None) -> str:
    ratio = ours / baseline
    verdict = ""
    if target is not None:
        verdict = f"  (target >= {target:.2f}: {'met' if ratio >= target else 'NOT met'})"
    line = f"{name}: {ours:,.0f}/s vs {baseline_name} {baseline:,.0f}/s -> ratio {ratio:.2f}{verdict}"
    print(line, flush=True)
    return line
