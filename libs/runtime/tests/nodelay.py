"""Finding the server side of a TCP connection in this process, to read its socket options."""

from __future__ import annotations

import contextlib
import os
import socket


def server_side_nodelay(client: socket.socket) -> bool:
    """TCP_NODELAY of the socket this process accepted for `client` (connected from the same process)."""
    peer = client.getsockname()
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == client.fileno():
            continue
        try:
            candidate = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue  # not a socket
        with contextlib.closing(candidate):
            if candidate.type != socket.SOCK_STREAM or candidate.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            try:
                if candidate.getpeername() != peer:
                    continue
            except OSError:
                continue  # a listening socket or one not connected
            return bool(candidate.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    raise AssertionError(f"no accepted connection from {peer} in this process")
