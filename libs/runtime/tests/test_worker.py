"""A worker process stops cleanly on SIGTERM/SIGINT: in-flight work drains, stragglers are cancelled."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rinnalla_runtime.worker import run_until_stopped

WORKER_SCRIPT = """
import asyncio, sys
from rinnalla_runtime.worker import run_worker_process

async def projection(stop: asyncio.Event) -> None:
    print("projection started", flush=True)
    await stop.wait()
    await asyncio.sleep(0.2)  # the batch in flight is committed before the task returns
    print("projection drained", flush=True)

async def stubborn(stop: asyncio.Event) -> None:
    try:
        await asyncio.sleep(3600)  # ignores the stop event
    except asyncio.CancelledError:
        print("stubborn cancelled", flush=True)
        raise

sys.exit(run_worker_process({"projection": projection, "stubborn": stubborn}, grace_seconds=1.0))
"""


def start_worker(tmp_path: Path) -> subprocess.Popen[str]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT)
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "projection started" in line:
            return process
    raise AssertionError(f"worker did not start: exit code {process.wait()}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_drains_in_flight_work_and_exits_zero(tmp_path: Path, signum: signal.Signals) -> None:
    process = start_worker(tmp_path)

    process.send_signal(signum)
    rest, _ = process.communicate(timeout=60)

    assert process.returncode == 0, rest
    assert "projection drained" in rest
    assert "stubborn cancelled" in rest
    assert "Traceback" not in rest


async def test_a_failing_task_stops_the_others_and_exits_one() -> None:
    stopped_cleanly = asyncio.Event()

    async def broken(stop: asyncio.Event) -> None:
        raise RuntimeError("subscription lost its consumer")

    async def healthy(stop: asyncio.Event) -> None:
        await stop.wait()
        stopped_cleanly.set()

    code = await run_until_stopped({"broken": broken, "healthy": healthy}, handle_signals=False, grace_seconds=5)

    assert code == 1
    assert stopped_cleanly.is_set()


async def test_setting_the_stop_event_stops_every_task() -> None:
    stop = asyncio.Event()
    seen: list[str] = []

    async def task(name: str, stop: asyncio.Event) -> None:
        await stop.wait()
        seen.append(name)

    runner = asyncio.create_task(
        run_until_stopped({"a": lambda s: task("a", s), "b": lambda s: task("b", s)}, stop=stop, handle_signals=False)
    )
    await asyncio.sleep(0)
    stop.set()

    assert await runner == 0
    assert sorted(seen) == ["a", "b"]


async def test_tasks_that_end_by_themselves_end_the_run() -> None:
    async def one_shot(stop: asyncio.Event) -> None:
        return None

    assert await run_until_stopped({"one_shot": one_shot}, handle_signals=False) == 0
