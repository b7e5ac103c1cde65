"""Serving an app: every accepted connection sends small writes at once (TCP_NODELAY)."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
from pathlib import Path
from types import ModuleType

from fastapi import APIRouter
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.serving import bind_socket, serve_app
from rinnalla_runtime.settings import RuntimeSettings


def load_helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nodelay", Path(__file__).with_name("nodelay.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def keep_alive_get(sock: socket.socket, path: str) -> bytes:
    """One GET on a kept-alive connection, its headers written in two parts as many clients do."""
    sock.sendall(f"GET {path} HTTP/1.1\r\n".encode())
    sock.sendall(b"Host: test\r\nConnection: keep-alive\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    lengths = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    length = int(lengths[0])
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b"\r\n")[0] + b" " + body


async def test_an_accepted_connection_of_a_running_service_has_tcp_nodelay(tmp_path: Path) -> None:
    router = APIRouter()

    @router.get("/echo")
    async def echo() -> dict[str, str]:
        return {"echo": "ok"}

    app = create_service_app("nodelay", RuntimeSettings(data_dir=tmp_path), [router], {})
    port = free_port()
    listening = bind_socket("127.0.0.1", port)
    assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    stop, started = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(serve_app(app, listening, stop, grace_seconds=1, started=started))
    try:
        await asyncio.wait_for(started.wait(), 30)
        client = socket.create_connection(("127.0.0.1", port))
        client.setblocking(True)
        try:
            first = await asyncio.to_thread(keep_alive_get, client, "/v1/echo")
            second = await asyncio.to_thread(keep_alive_get, client, "/v1/echo")
            assert first == second == b'HTTP/1.1 200 OK {"echo":"ok"}'
            assert load_helper().server_side_nodelay(client)
        finally:
            client.close()
    finally:
        stop.set()
        await serving
