"""Server processes for the HTTP benchmarks, one role each (run by bench_keepalive.py and bench_latency.py).

python bench/enrollment_servers.py ROLE PORT     with BENCH_DATABASE_URL, BENCH_NATS_URL, BENCH_MASTER_KEY,
                                                 BENCH_KEY_DIR and RINNALLA_SUBJECT_PREFIX in the environment

Roles:
- api:         the enrollment API as deployments serve it (`bind_socket` + `serve_app`, as `rinnalla run api`);
- nagle-api:   the same app on a socket made the way `bind_socket` made it before TCP_NODELAY (proto 0, so
               asyncio leaves Nagle on), for the figure before the fix;
- worker:      the enrollment worker (relay, projection runners), as `rinnalla run worker`;
- bare-read:   plain uvicorn + FastAPI, one GET running the same read-model query as GET /v1/teams;
- bare-insert: plain uvicorn + FastAPI, one POST inserting one row (the command baseline).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI
from rinnalla_runtime.serving import bind_socket, serve_app
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.worker import run_until_stopped


def settings() -> RuntimeSettings:
    return RuntimeSettings(
        database_url=os.environ["BENCH_DATABASE_URL"],
        nats_url=os.environ["BENCH_NATS_URL"],
        master_key=os.environ["BENCH_MASTER_KEY"],
        data_dir=Path(os.environ["BENCH_KEY_DIR"]).parent,
        log_level="warning",
    )


def old_bind_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


async def serve_enrollment(port: int, *, nagle: bool) -> None:
    from rinnalla_enrollment.main import create_app
    from rinnalla_security import AuthSettings

    app = create_app(settings(), auth=AuthSettings.for_development(Path(os.environ["BENCH_KEY_DIR"])))
    if nagle:
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", http="h11")
        await uvicorn.Server(config).serve(sockets=[old_bind_socket("127.0.0.1", port)])
        return
    sock = bind_socket("127.0.0.1", port)
    await run_until_stopped({"api": lambda stop: serve_app(app, sock, stop)}, grace_seconds=5)


async def work() -> None:
    from rinnalla_enrollment.main import run_worker

    async def task(stop: asyncio.Event) -> None:
        await run_worker(settings(), stop)

    await run_until_stopped({"worker": task}, grace_seconds=5)


def bare_app() -> FastAPI:
    from rinnalla_enrollment.projections import queries

    pool: dict[str, Any] = {}
    dsn = settings().require_database_dsn()

    async def lifespan(_app: FastAPI) -> Any:
        pool["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        async with pool["pool"].acquire() as conn:
            await conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL)")
        yield
        await pool["pool"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/teams")
    async def teams() -> list[dict[str, Any]]:
        async with pool["pool"].acquire() as conn:
            return await queries.team_overview(conn, ["092"], date.today())

    @app.post("/rows")
    async def insert(body: dict[str, Any]) -> dict[str, int]:
        async with pool["pool"].acquire() as conn:
            sql = "INSERT INTO bench_rows (body) VALUES ($1::jsonb) RETURNING id"
            row_id = await conn.fetchval(sql, json.dumps(body))
        return {"id": int(row_id)}

    return app


def main(role: str, port: int) -> None:
    if role in ("api", "nagle-api"):
        asyncio.run(serve_enrollment(port, nagle=role == "nagle-api"))
    elif role == "worker":
        asyncio.run(work())
    elif role in ("bare-read", "bare-insert"):
        uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    else:
        raise SystemExit(f"unknown role {role}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
