"""Serve a FastAPI app with uvicorn inside an already running event loop, stopped by an event.

uvicorn normally owns the process: it installs its own signal handlers and calls `sys.exit` when it
cannot start. Here the worker's stop event owns shutdown instead (so several servers and workers stop
together), the socket is bound before anything starts (so a taken port is a clear error up front), and
a failed start becomes an exception.

Every accepted connection has TCP_NODELAY set. uvicorn (h11 or httptools alike) never sets it itself; it
leaves it to the event loop's transport, and asyncio sets it only on sockets whose `proto` is
IPPROTO_TCP. A socket made with `socket.socket(family, SOCK_STREAM)` has proto 0, and so has every
connection it accepts: asyncio then leaves Nagle's algorithm on, and a keep-alive client that writes a
request in two parts waits for the server's delayed ACK (40 ms on Linux) on every call. `bind_socket`
therefore names the protocol, sets TCP_NODELAY on the listening socket (Linux hands it on to accepted
sockets) and `_NoDelayH11Protocol` sets it once more on each connection, whatever the event loop does.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from rinnalla_runtime.logging import get_logger


class ServerFailed(RuntimeError):
    pass


class _EmbeddedServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, started: asyncio.Event, log: Any) -> None:
        super().__init__(config)
        self._started_event = started
        self._log = log

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # the surrounding worker handles SIGTERM/SIGINT and sets the stop event
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._log.info("server.started")  # in place of uvicorn's lines, which name no app
            self._started_event.set()


def _address(sock: socket.socket) -> str:
    try:
        host, port = sock.getsockname()[:2]
    except OSError:
        return "unknown"
    return f"{host}:{port}"


def set_nodelay(sock: socket.socket) -> None:
    """Send small writes at once (no Nagle): a response never waits for the peer's delayed ACK."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with TCP_NODELAY on its connection (see the module docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the peer may already be gone
                set_nodelay(sock)
        super().connection_made(transport)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket, or an error that names the setting to change."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto named explicitly: asyncio sets TCP_NODELAY on accepted connections only when it is IPPROTO_TCP
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    set_nodelay(sock)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


async def serve_app(
    app: FastAPI,
    sock: socket.socket,
    stop: asyncio.Event,
    *,
    grace_seconds: float = 10.0,
    started: asyncio.Event | None = None,
) -> None:
    """Serve `app` on `sock` until `stop` is set; open requests get `grace_seconds` to finish."""
    config = uvicorn.Config(
        app,
        log_config=None,  # our logging configuration stays in place
        access_log=False,  # the request middleware writes the access log
        lifespan="on",
        timeout_graceful_shutdown=max(1, round(grace_seconds)),
        server_header=False,
        http=_NoDelayH11Protocol,
    )
    log = get_logger("rinnalla_runtime.serving", app=app.title, address=_address(sock))
    server = _EmbeddedServer(config, started if started is not None else asyncio.Event(), log)

    async def run_server() -> None:
        try:
            await server.serve(sockets=[sock])
        except SystemExit as exc:
            # caught inside the task: a SystemExit leaving a task would tear down the whole event loop
            raise ServerFailed(f"{app.title} failed to start (uvicorn exit code {exc.code})") from None

    serving = asyncio.create_task(run_server())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
        if server.started:
            log.info("server.stopped")
    finally:
        stopping.cancel()
        if not serving.done():
            server.force_exit = True
            server.should_exit = True
            with contextlib.suppress(BaseException):
                await serving
        sock.close()
    if not stop.is_set():
        raise ServerFailed(f"{app.title} stopped serving without being asked to")
