"""PostgreSQL and NATS for a process: the ones DATABASE_URL / NATS_URL name, or embedded ones in the
data directory.

Only one process may run the embedded servers of a data directory. The process that starts them writes
`<data dir>/run/servers.json` (its pid, its start time, the URLs); another process on the same data
directory (a CLI command while the stack runs) reads that record and uses the running servers instead
of starting its own. Whoever started the servers stops them on exit and removes the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil  # type: ignore[import-untyped]

from rinnalla_runtime.embedded import EmbeddedNats, EmbeddedPostgres
from rinnalla_runtime.logging import get_logger
from rinnalla_runtime.master_key import with_master_key
from rinnalla_runtime.settings import RuntimeSettings

EMBEDDED_DATABASE = "rinnalla"
RECORD_FILE = "servers.json"
LOCK_FILE = "servers.lock"


class PortInUse(RuntimeError):
    pass


@dataclass(frozen=True)
class RunningServers:
    """The URLs of a data directory's embedded servers, as recorded by the process that owns them."""

    owner_pid: int
    owner_started_at: float
    database_url: str | None
    nats_url: str | None


def _run_dir(data_dir: Path) -> Path:
    return data_dir / "run"


def _process_started_at(pid: int) -> float | None:
    try:
        return float(psutil.Process(pid).create_time())
    except psutil.Error:
        return None


def _listening(url: str | None) -> bool:
    if url is None:
        return True
    host_port = url.split("@")[-1].split("//")[-1].split("/")[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except (OSError, ValueError):
        return False


def read_running_servers(data_dir: Path) -> RunningServers | None:
    """The record of a live owner of this data directory's servers, or None."""
    path = _run_dir(data_dir) / RECORD_FILE
    try:
        record = RunningServers(**json.loads(path.read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None
    # the start time guards against a pid reused by an unrelated process after a crash
    if _process_started_at(record.owner_pid) != record.owner_started_at:
        return None
    if not (_listening(record.database_url) and _listening(record.nats_url)):
        return None
    return record


@contextlib.contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    run_dir = _run_dir(data_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _stop_orphan_nats(nats_dir: Path) -> None:
    """A nats-server of this data directory left running by a killed stack still holds the port."""
    conf = str(nats_dir / "nats.conf")
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if len(cmdline) >= 3 and Path(cmdline[0]).name == "nats-server" and cmdline[-2:] == ["-c", conf]:
            get_logger("rinnalla_runtime.servers").warning("servers.stopping_orphan_nats", pid=process.pid)
            with contextlib.suppress(psutil.Error):
                process.terminate()
                process.wait(timeout=30)


def _postgres_orphan_on(pg: EmbeddedPostgres, port: int) -> bool:
    """A server of this data directory (which `EmbeddedPostgres.start` stops) rather than a stranger."""
    pid_file = pg.pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return False
    return len(lines) > 3 and lines[3].strip() == str(port)


def _start_postgres(data_dir: Path, port: int) -> EmbeddedPostgres:
    pg = EmbeddedPostgres(data_dir / "postgres", port=port)
    if not _port_free(port) and not _postgres_orphan_on(pg, port):
        raise PortInUse(
            f"port {port} for the embedded PostgreSQL is taken by another program: "
            "set RINNALLA_EMBEDDED_POSTGRES_PORT or DATABASE_URL"
        )
    return pg.start()


def _start_nats(data_dir: Path, port: int) -> EmbeddedNats:
    nats_dir = data_dir / "nats"
    _stop_orphan_nats(nats_dir)
    if not _port_free(port):
        raise PortInUse(
            f"port {port} for the embedded NATS server is taken by another program: "
            "set RINNALLA_EMBEDDED_NATS_PORT or NATS_URL"
        )
    return EmbeddedNats(nats_dir, port=port).start()


async def _ensure_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


@contextlib.asynccontextmanager
async def provide_servers(
    settings: RuntimeSettings, *, generate_master_key: bool | None = None
) -> AsyncIterator[RuntimeSettings]:
    """`settings` with DATABASE_URL and NATS_URL filled in, for the duration of the block.

    The environment's URLs win; a missing one is taken from the live owner of the data directory's
    embedded servers, or an embedded server is started here and stopped when the block ends.
    The master key is generated into the data directory when `generate_master_key` is true; None means:
    generate only when the database is this data directory's embedded one.
    """
    log = get_logger("rinnalla_runtime.servers")
    data_dir = settings.data_dir.resolve()
    pg: EmbeddedPostgres | None = None
    nats_server: EmbeddedNats | None = None
    record_path = _run_dir(data_dir) / RECORD_FILE
    updates: dict[str, Any] = {}
    need_pg = not settings.database_url
    need_nats = not settings.nats_url

    try:
        if need_pg or need_nats:
            lock = _exclusive(data_dir)
            await asyncio.to_thread(lock.__enter__)
            try:
                running = read_running_servers(data_dir)
                if (
                    running is not None
                    and (running.database_url or not need_pg)
                    and (running.nats_url or not need_nats)
                ):
                    log.info("servers.reusing", owner_pid=running.owner_pid)
                    if need_pg:
                        updates["database_url"] = running.database_url
                    if need_nats:
                        updates["nats_url"] = running.nats_url
                else:
                    if need_pg:
                        log.info("servers.starting_postgres", port=settings.embedded_postgres_port)
                        pg = await asyncio.to_thread(_start_postgres, data_dir, settings.embedded_postgres_port)
                        updates["database_url"] = await _ensure_database(pg.url, EMBEDDED_DATABASE)
                    if need_nats:
                        log.info("servers.starting_nats", port=settings.embedded_nats_port)
                        nats_server = await asyncio.to_thread(_start_nats, data_dir, settings.embedded_nats_port)
                        updates["nats_url"] = nats_server.url
                    started_at = _process_started_at(os.getpid())
                    record = RunningServers(
                        owner_pid=os.getpid(),
                        owner_started_at=started_at or 0.0,
                        database_url=updates.get("database_url"),
                        nats_url=updates.get("nats_url"),
                    )
                    record_path.write_text(json.dumps(record.__dict__))
            finally:
                lock.__exit__(None, None, None)

        resolved = settings.model_copy(update={**updates, "data_dir": data_dir})
        generate = need_pg if generate_master_key is None else generate_master_key
        yield with_master_key(resolved, generate=generate)
    finally:
        # synchronous on purpose: a cancelled task cannot be cancelled again half-way through the stop
        if nats_server is not None:
            nats_server.stop()
        if pg is not None:
            pg.stop()
        if pg is not None or nats_server is not None:
            record_path.unlink(missing_ok=True)
            log.info("servers.stopped")
