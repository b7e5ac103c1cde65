"""A mentor logs a contact: HTTP in, until it is visible in "my team today" (the case log's read model),
at a steady 200 contacts per second; p50 and p99 latency against a bare pipeline in the same run.

Ours: POST /v1/contacts/{id} on the caselog API (token, purpose, roster check, encrypted note, event store,
access log), the relay to JetStream, the casework projection, until the contact's row is in the view.
Baseline: a bare HTTP route that inserts the same JSON with asyncpg, publishes it with nats-py, and a bare
JetStream subscriber that inserts it into a read table; measured to the same visibility check.

Run: python3 dev.py run python bench/bench_caselog_contacts.py   (BENCH_CONTACTS=2000 by default)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
from common import servers
from rinnalla_caselog import main as caselog_main
from rinnalla_caselog.bootstrap import open_caselog
from rinnalla_enrollment import main as enrollment_main
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_enrollment.demo import load_demo
from rinnalla_events import new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import AuthSettings, mint_dev_token
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

RATE = 200
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "2000"))
CHILDREN = [f"child-092-{n:04d}" for n in range(1, 11)]


def body(n: int) -> dict[str, Any]:
    return {"on": "2026-10-05", "minutes": 30, "setting": "one_to_one", "participants": [],
            "children": [{"child_id": CHILDREN[n % 10], "note": f"bench note {n}", "outcome_areas": ["participation"]}]}


async def steady(
    send: Callable[[int, str], Awaitable[str]], visible: Callable[[], Awaitable[set[str]]]
) -> list[float]:
    """Send CONTACTS requests at RATE per second (open loop); latency of each until it is visible."""
    started: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = asyncio.Event()

    async def watch() -> None:
        while len(seen) < CONTACTS:
            for key in await visible():
                if key in started and key not in seen:
                    seen[key] = time.perf_counter()
            await asyncio.sleep(0.002)
        done.set()

    async def one(n: int) -> None:
        key = f"bench-{n}-{uuid.uuid4().hex[:8]}"
        started[key] = time.perf_counter()
        returned = await send(n, key)
        assert returned == key
    watcher = asyncio.create_task(watch())
    tasks = []
    begin = time.perf_counter()
    for n in range(CONTACTS):
        await asyncio.sleep(max(0.0, begin + n / RATE - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    async with asyncio.timeout(120):
        await done.wait()
    watcher.cancel()
    return [seen[k] - started[k] for k in started]


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


async def ours(settings: RuntimeSettings, key_dir: Path) -> list[float]:
    async with open_enrollment(settings) as enrollment, open_caselog(settings) as caselog:
        await load_demo(enrollment)
        stop = asyncio.Event()
        workers = [asyncio.create_task(enrollment_main.run_worker(settings, stop)),
                   asyncio.create_task(caselog_main.run_worker(settings, stop))]
        app = caselog_main.create_app(settings, caselog=caselog, auth=AuthSettings.for_development(key_dir))
        token = mint_dev_token("mentor.vantaa", key_dir=key_dir)
        headers = {"Authorization": f"Bearer {token}", "X-Purpose": "programme_delivery"}
        pool = await asyncpg.create_pool(settings.require_database_dsn(), min_size=1, max_size=2)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://caselog") as client:
                for _ in range(600):  # the roster may still be projecting enrollment's demo data
                    warm = await client.post("/v1/contacts/warm-up", json=body(0),
                                             headers={**headers, "Idempotency-Key": "warm-up-key"})
                    if warm.status_code == 200:
                        break
                    await asyncio.sleep(0.2)

                async def send(n: int, key: str) -> str:
                    response = await client.post(f"/v1/contacts/{key}", json=body(n),
                                                 headers={**headers, "Idempotency-Key": key})
                    assert response.status_code == 200, response.text
                    return key

                async def visible() -> set[str]:
                    rows = await pool.fetch("SELECT contact_id FROM caselog_read.contact_children"
                                            " WHERE contact_id LIKE 'bench-%'")
                    return {row["contact_id"] for row in rows}

                return await steady(send, visible)
        finally:
            await pool.close()
            stop.set()
            await asyncio.gather(*workers)


async def baseline(settings: RuntimeSettings) -> list[float]:
    dsn = settings.require_database_dsn()
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    await pool.execute("CREATE SCHEMA IF NOT EXISTS bare; DROP TABLE IF EXISTS bare.contacts, bare.visible;"
                       " CREATE TABLE bare.contacts (id text PRIMARY KEY, body jsonb NOT NULL);"
                       " CREATE TABLE bare.visible (id text PRIMARY KEY, body jsonb NOT NULL)")
    nc = await nats.connect(settings.require_nats_url())
    js = nc.jetstream()
    await js.add_stream(name="BARE_CONTACTS", subjects=["bare.contacts"])

    async def route(request: Request) -> JSONResponse:
        key = request.path_params["key"]
        data = await request.body()
        await pool.execute("INSERT INTO bare.contacts VALUES ($1, $2::jsonb)", key, data.decode())
        await js.publish("bare.contacts", data, headers={"Nats-Msg-Id": key, "key": key})
        return JSONResponse({"id": key})

    async def project(msg: Any) -> None:
        await pool.execute("INSERT INTO bare.visible VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING",
                           msg.headers["key"], msg.data.decode())
        await msg.ack()

    subscription = await js.subscribe("bare.contacts", durable="bare", cb=project, manual_ack=True)
    app = Starlette(routes=[Route("/contacts/{key}", route, methods=["POST"])])
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bare") as client:

            async def send(n: int, key: str) -> str:
                response = await client.post(f"/contacts/{key}", content=json.dumps(body(n)))
                assert response.status_code == 200
                return key

            async def visible() -> set[str]:
                return {row["id"] for row in await pool.fetch("SELECT id FROM bare.visible")}

            return await steady(send, visible)
    finally:
        await subscription.unsubscribe()
        await js.delete_stream("BARE_CONTACTS")
        await nc.close()
        await pool.close()


async def main() -> None:
    # streams of this run's own (a shared NATS server keeps other streams apart)
    os.environ[SUBJECT_PREFIX_VARIABLE] = f"bench{uuid.uuid4().hex[:8]}"
    with servers() as found:
        settings = RuntimeSettings(database_url=found.postgres_url, nats_url=found.nats_url,
                                   master_key=new_master_key(), data_dir=Path(tempfile.mkdtemp()))
        await enrollment_main.migrate(settings)
        await caselog_main.migrate(settings)
        bare = percentiles(await baseline(settings))
        mine = percentiles(await ours(settings, settings.data_dir / "dev-keys"))
    print(f"contacts: {CONTACTS} at {RATE}/s, HTTP in until visible in the read model", flush=True)
    print(f"baseline (bare asyncpg + nats-py + bare subscriber): p50 {bare[0]:.1f} ms, p99 {bare[1]:.1f} ms")
    print(f"caselog (API, event store, relay, projection):      p50 {mine[0]:.1f} ms, p99 {mine[1]:.1f} ms")
    print(f"ratio caselog / baseline: p50 {mine[0] / bare[0]:.2f}, p99 {mine[1] / bare[1]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    asyncio.run(main())
