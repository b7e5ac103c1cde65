"""Serve a FastAPI app with uvicorn inside an already running event loop, stopped by an event.

uvicorn normally owns the process: it installs its own signal handlers and calls `sys.exit` when it
cannot start. Here the worker's stop event owns shutdown instead (so several servers and workers stop
together), the socket is bound before anything starts (so a taken port is a clear error up front), and
a failed start becomes an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI

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


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket, or an error that names the setting to change."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
