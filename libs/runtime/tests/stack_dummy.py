"""A tiny service for the stack tests; run as a script it is a whole stack process.

python stack_dummy.py DATA_DIR POSTGRES_PORT NATS_PORT API_PORT
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg
import nats
from fastapi import APIRouter, FastAPI
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.readiness import nats_url_check, postgres_check
from rinnalla_runtime.service import ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.stack import run_stack


async def migrate(settings: RuntimeSettings) -> None:
    conn = await asyncpg.connect(settings.require_database_dsn())
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS dummy_starts (n serial PRIMARY KEY, key_length int)")
    finally:
        await conn.close()


async def load_demo_data(settings: RuntimeSettings) -> None:
    """Counts starts, so a test can see that a second start found the first one's data."""
    conn = await asyncpg.connect(settings.require_database_dsn())
    try:
        await conn.execute("INSERT INTO dummy_starts (key_length) VALUES ($1)", len(settings.require_master_key()))
    finally:
        await conn.close()


def create_app(settings: RuntimeSettings) -> FastAPI:
    router = APIRouter()

    @router.get("/starts")
    async def starts() -> dict[str, int]:
        conn = await asyncpg.connect(settings.require_database_dsn())
        try:
            return {"starts": int(await conn.fetchval("SELECT count(*) FROM dummy_starts"))}
        finally:
            await conn.close()

    checks = {
        "postgres": postgres_check(settings.require_database_dsn()),
        "nats": nats_url_check(settings.require_nats_url()),
    }
    return create_service_app("dummy", settings, [router], checks)


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    client = await nats.connect(settings.require_nats_url())
    try:
        await stop.wait()
        await client.publish("dummy.worker", b"drained")
        await client.flush()
        print("dummy worker drained", flush=True)
    finally:
        await client.close()


async def stubborn_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    """Ignores the stop event: only the grace period or a second signal ends it."""
    print("stubborn worker running", flush=True)
    await asyncio.sleep(3600)


def dummy_spec(port: int, *, stubborn: bool = False) -> ServiceSpec:
    return ServiceSpec(
        name="dummy",
        default_port=port,
        create_app=create_app,
        run_worker=stubborn_worker if stubborn else run_worker,
        migrate=migrate,
        load_demo_data=load_demo_data,
    )


def stack_settings(data_dir: Path, postgres_port: int, nats_port: int) -> RuntimeSettings:
    return RuntimeSettings(
        data_dir=data_dir,
        database_url=None,
        nats_url=None,
        master_key=None,
        embedded_postgres_port=postgres_port,
        embedded_nats_port=nats_port,
        shutdown_grace_seconds=5,
        log_level="warning",
    )


if __name__ == "__main__":
    data_dir, pg_port, nats_port, api_port = sys.argv[1], *map(int, sys.argv[2:5])
    settings = stack_settings(Path(data_dir), pg_port, nats_port).model_copy(update={"shutdown_grace_seconds": 60})
    stubborn = sys.argv[5:] == ["stubborn"]
    sys.exit(asyncio.run(run_stack(settings, [dummy_spec(api_port, stubborn=stubborn)])))
