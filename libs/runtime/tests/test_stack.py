"""The one-command stack: embedded servers in a data directory, a service's API and worker, a clean stop."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import psutil  # type: ignore[import-untyped]
import pytest
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.master_key import master_key_path
from rinnalla_runtime.servers import RECORD_FILE, provide_servers
from rinnalla_runtime.stack import StackInfo, run_stack

pytestmark = pytest.mark.integration

DUMMY_PATH = Path(__file__).with_name("stack_dummy.py")


def load_dummy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stack_dummy", DUMMY_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited daemon waits for its reparenting init to reap it)."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def postgres_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "postgres" / "pgdata" / "postmaster.pid"
    return int(pid_file.read_text().splitlines()[0]) if pid_file.exists() else None


def nats_processes(data_dir: Path) -> list[psutil.Process]:
    conf = str((data_dir / "nats" / "nats.conf").resolve())
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if cmdline[-2:] == ["-c", conf]:
            found.append(process)
    return found


def assert_everything_stopped(data_dir: Path) -> None:
    assert postgres_pid(data_dir) is None, "PostgreSQL still has its pid file"
    assert nats_processes(data_dir) == [], "nats-server still runs"
    assert not (data_dir / "run" / RECORD_FILE).exists()


async def start_and_query(data_dir: Path, ports: tuple[int, int, int]) -> tuple[StackInfo, dict[str, int]]:
    dummy = load_dummy()
    pg_port, nats_port, api_port = ports
    settings = dummy.stack_settings(data_dir, pg_port, nats_port)
    stop = asyncio.Event()
    ready: asyncio.Queue[StackInfo] = asyncio.Queue()
    stack = asyncio.create_task(
        run_stack(settings, [dummy.dummy_spec(api_port)], stop=stop, on_ready=ready.put_nowait, handle_signals=False)
    )
    waiting = asyncio.create_task(ready.get())
    await asyncio.wait({stack, waiting}, return_when=asyncio.FIRST_COMPLETED)
    assert not stack.done(), f"the stack ended before it was ready: {stack.result()}"
    info = waiting.result()
    try:
        (endpoint,) = info.services
        async with httpx.AsyncClient(base_url=endpoint.base_url) as client:
            assert (await client.get("/healthz")).status_code == 200
            readiness = await client.get("/readyz")
            assert readiness.status_code == 200, readiness.text
            assert (await client.get("/openapi.json")).status_code == 200
            starts = (await client.get("/v1/starts")).json()
        assert postgres_pid(data_dir) is not None
        assert len(nats_processes(data_dir)) == 1
        # a CLI command on the same data directory uses the running servers instead of starting its own
        async with provide_servers(dummy.stack_settings(data_dir, free_port(), free_port())) as cli_settings:
            assert cli_settings.database_url == info.settings.database_url
            assert cli_settings.nats_url == info.settings.nats_url
            assert cli_settings.master_key == info.settings.master_key
        assert len(nats_processes(data_dir)) == 1
        async with httpx.AsyncClient(base_url=endpoint.base_url) as client:
            assert (await client.get("/readyz")).status_code == 200
    finally:
        stop.set()
        assert await stack == 0
    return info, starts


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """Outside pytest's numbered temp directories, which other pytest runs on the machine may prune."""
    root = Path(tempfile.mkdtemp(prefix="rinnalla-stack-test-"))
    yield root / "var"
    shutil.rmtree(root, ignore_errors=True)


async def test_the_stack_starts_serves_and_stops_cleanly_and_a_second_start_reuses_the_data(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ports = (free_port(), free_port(), free_port())

    info, first = await start_and_query(data_dir, ports)

    assert first == {"starts": 1}
    assert info.settings.database_url == f"postgresql://postgres@127.0.0.1:{ports[0]}/rinnalla"
    assert info.settings.nats_url == f"nats://127.0.0.1:{ports[1]}"
    assert info.services[0].base_url == f"http://127.0.0.1:{ports[2]}"
    assert "dummy worker drained" in capsys.readouterr().out
    assert_everything_stopped(data_dir)
    key = master_key_path(info.settings).read_text()

    info, second = await start_and_query(data_dir, ports)

    assert second == {"starts": 2}
    assert master_key_path(info.settings).read_text() == key
    assert_everything_stopped(data_dir)


def start_stack_process(data_dir: Path, api_port: int, *extra: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(DUMMY_PATH), str(data_dir), str(free_port()), str(free_port()), str(api_port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = []
    for line in process.stdout:
        banner.append(line)
        if line.startswith("Stop with Ctrl-C"):
            return process, "".join(banner)
    raise AssertionError(f"the stack did not start (exit code {process.wait()}):\n{''.join(banner)}")


def test_sigterm_stops_the_stack_process_with_no_orphans(data_dir: Path) -> None:
    api_port = free_port()
    process, banner = start_stack_process(data_dir, api_port)
    assert f"http://127.0.0.1:{api_port}/docs" in banner
    assert httpx.get(f"http://127.0.0.1:{api_port}/readyz").status_code == 200
    nats_pids = [p.pid for p in nats_processes(data_dir)]
    pg_pid = postgres_pid(data_dir)
    assert nats_pids and pg_pid

    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=120)

    assert process.returncode == 0, rest
    assert "dummy worker drained" in rest
    assert not [pid for pid in [*nats_pids, pg_pid] if running(pid)]
    assert_everything_stopped(data_dir)


def test_a_second_signal_forces_the_stop_and_still_stops_the_servers(data_dir: Path) -> None:
    process, _ = start_stack_process(data_dir, free_port(), "stubborn")
    assert process.stdout is not None
    nats_pids = [p.pid for p in nats_processes(data_dir)]

    process.send_signal(signal.SIGTERM)
    for line in process.stdout:
        if "worker.stopping" in line:
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=120)

    assert process.returncode == 130, rest
    assert not [pid for pid in nats_pids if running(pid)]
    assert_everything_stopped(data_dir)
