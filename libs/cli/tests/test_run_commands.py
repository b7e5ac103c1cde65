"""`rinnalla run api|worker SERVICE`, the processes a deployment runs, stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest
from rinnalla_runtime.embedded import free_port, wait_for_port

pytestmark = pytest.mark.integration

PROCESS = """
import asyncio, sys
from rinnalla_cli.context import CliState
from rinnalla_cli.main import app
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.readiness import nats_url_check, postgres_check
from rinnalla_runtime.service import ServiceSpec

async def migrate(settings):
    return None

async def run_worker(settings, stop):
    print("worker running", flush=True)
    await stop.wait()
    print("worker drained", flush=True)

def create_app(settings):
    checks = {"postgres": postgres_check(settings.require_database_dsn()),
              "nats": nats_url_check(settings.require_nats_url())}
    return create_service_app("mini", settings, [], checks)

spec = ServiceSpec(name="mini", default_port=int(sys.argv[1]), create_app=create_app,
                   run_worker=run_worker, migrate=migrate)
app(sys.argv[2:], obj=CliState(specs=[spec]), prog_name="rinnalla")
"""


def start(role: str, port: int, database_url: str, nats_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "NATS_URL": nats_url, "RINNALLA_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, str(port), "run", role, "mini"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_run_api_serves_until_sigterm(database_url: str, nats_url: str) -> None:
    port = free_port()
    process = start("api", port, database_url, nats_url)
    try:
        wait_for_port(port)
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output


def test_run_worker_drains_on_sigterm(database_url: str, nats_url: str) -> None:
    process = start("worker", free_port(), database_url, nats_url)
    assert process.stdout is not None
    for line in process.stdout:
        if "worker running" in line:
            break
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "worker drained" in output


def test_run_refuses_an_unknown_service() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROCESS, str(free_port()), "run", "api", "nope"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no service named 'nope'" in result.stderr
