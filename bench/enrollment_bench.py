"""Shared set-up of the HTTP benchmarks: a migrated enrollment database, server processes, tokens, a programme."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from common import Servers
from rinnalla_events import new_master_key
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import demo_user, mint_dev_token, usual_purpose

HERE = Path(__file__).parent
PARTNERSHIP = "partnership-092"
SCHOOL = {"name": "Hakunilan koulu", "code": "12345"}


@dataclass
class Bench:
    settings: RuntimeSettings
    env: dict[str, str]
    key_dir: Path
    dsn: str

    def token(self, user: str = "coordinator.vantaa", **claims: Any) -> dict[str, str]:
        """Bearer token and the purpose the user's roles claim first (programme_delivery, own_child)."""
        headers = {"Authorization": f"Bearer {mint_dev_token(user, key_dir=self.key_dir, extra_claims=claims or None)}"}
        purpose = usual_purpose(demo_user(user).roles)
        if purpose is not None:
            headers["X-Purpose"] = purpose
        return headers

    @contextlib.contextmanager
    def process(self, role: str, port: int = 0) -> Iterator[subprocess.Popen[bytes]]:
        log = self.key_dir.parent / f"{role}-{port}.log"  # the servers' own logs stay out of the figures
        with log.open("ab") as out:
            child = subprocess.Popen(
                [sys.executable, str(HERE / "enrollment_servers.py"), role, str(port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            yield child
        finally:
            child.terminate()
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


async def prepare(srv: Servers, database: str) -> Bench:
    from rinnalla_enrollment.main import migrate

    admin = await asyncpg.connect(srv.postgres_url)
    await admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {database}")
    await admin.close()
    dsn = srv.postgres_url.rsplit("/", 1)[0] + f"/{database}"
    key_dir = Path(tempfile.mkdtemp(prefix="rinnalla-bench-keys-")) / "dev-keys"
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    os.environ[SUBJECT_PREFIX_VARIABLE] = prefix
    settings = RuntimeSettings(
        database_url=dsn, nats_url=srv.nats_url, master_key=new_master_key(), data_dir=key_dir.parent
    )
    await migrate(settings)
    mint_dev_token("coordinator.vantaa", key_dir=key_dir)  # creates the development key pair once
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": dsn,
        "BENCH_NATS_URL": srv.nats_url,
        "BENCH_MASTER_KEY": settings.master_key.get_secret_value() if settings.master_key else "",
        "BENCH_KEY_DIR": str(key_dir),
        SUBJECT_PREFIX_VARIABLE: prefix,
    }
    return Bench(settings, env, key_dir, dsn)


async def wait_up(url: str, *, within: float = 60.0) -> None:
    async with asyncio.timeout(within), httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.TransportError):
                await client.get(url)
                return
            await asyncio.sleep(0.1)


def team_id(n: int) -> str:
    return f"team-092-2019-{n:03d}"


async def programme(client: httpx.AsyncClient, bench: Bench, teams: int) -> None:
    """A partnership and `teams` teams of 25 (each command checked)."""

    async def ok(path: str, body: dict[str, Any]) -> None:
        headers = {**bench.token(), "Idempotency-Key": str(uuid.uuid4())}
        response = await client.post(f"/v1{path}", json=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text}")

    await ok(f"/partnerships/{PARTNERSHIP}", {"municipality_code": "092", "opened_on": "2025-01-15"})
    await ok(
        f"/partnerships/{PARTNERSHIP}/agreement",
        {"signed_on": "2025-03-01", "team_count": max(2, teams), "valid_from": "2025-08-01"},
    )
    for n in range(teams):
        await ok(
            f"/teams/{team_id(n)}",
            {
                "name": f"Vantaa {n:03d}", "municipality_code": "092", "area": "Hakunila", "main_school": SCHOOL,
                "cohort_birth_years": [2019], "founded_on": "2025-08-01", "partnership_id": PARTNERSHIP,
                "max_size": 25,
            },
        )  # fmt: skip


async def caught_up(bench: Bench, *, within: float = 300.0) -> None:
    """Until every read model has applied every event committed so far (the relay's lag included)."""
    import nats
    from rinnalla_enrollment.bootstrap import Enrollment

    enrollment = Enrollment.build(bench.settings)
    await enrollment.start()
    nc = await nats.connect(bench.settings.require_nats_url())
    try:
        async with asyncio.timeout(within):
            while any((await enrollment.projection_lag(nc.jetstream())).values()):  # noqa: ASYNC110 (polls a server)
                await asyncio.sleep(0.2)
    finally:
        await nc.close()
        await enrollment.close()


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": q[49], "p99": q[98], "max": ordered[-1], "n": len(ordered)}


def fmt_ms(p: dict[str, float]) -> str:
    return f"p50 {p['p50'] * 1000:.1f} ms, p99 {p['p99'] * 1000:.1f} ms, max {p['max'] * 1000:.1f} ms (n={p['n']:.0f})"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextlib.asynccontextmanager
async def timed(label: str) -> AsyncIterator[None]:
    start = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - start:.1f}s", flush=True)


__all__ = [
    "Bench",
    "caught_up",
    "fmt_ms",
    "free_port",
    "load_average",
    "percentiles",
    "prepare",
    "programme",
    "team_id",
    "timed",
    "wait_up",
]
