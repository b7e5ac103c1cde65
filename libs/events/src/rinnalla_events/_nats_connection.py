"""Where the relay gets its NATS connection: a client it borrows, or a factory it may call again.

With a factory the relay owns its connections: when one gives up reconnecting and closes, the relay makes
a new one (after its own capped backoff), so it keeps trying through an outage of any length.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import nats
import structlog
from nats.aio.client import Client

NatsClientFactory = Callable[[], Awaitable[Client]]
NatsSource = Client | NatsClientFactory


def nats_connector(
    servers: str | list[str],
    *,
    name: str = "rinnalla-relay",
    reconnect_time_wait: float = 1.0,
    max_reconnect_attempts: int = 10,
    connect_timeout: float = 2.0,
    options: Mapping[str, Any] | None = None,
) -> NatsClientFactory:
    """A factory of NATS connections that reconnect for a while on their own, then close.

    `max_reconnect_attempts` is finite on purpose: nats-py retries a first connect just as often, and the
    relay would rather fail fast and back off on its own schedule than block inside `nats.connect`.
    `options` are further `nats.connect` keyword arguments: credentials, TLS, the inbox prefix.
    """
    log = structlog.get_logger("rinnalla_events.nats")

    async def on_error(exc: Exception) -> None:
        log.debug("nats.error", error=repr(exc))

    async def on_disconnected() -> None:
        log.info("nats.disconnected", connection=name)

    async def on_reconnected() -> None:
        log.info("nats.reconnected", connection=name)

    async def connect() -> Client:
        return await nats.connect(
            servers,
            name=name,
            allow_reconnect=True,
            reconnect_time_wait=reconnect_time_wait,
            max_reconnect_attempts=max_reconnect_attempts,
            connect_timeout=connect_timeout,
            error_cb=on_error,
            disconnected_cb=on_disconnected,
            reconnected_cb=on_reconnected,
            **(options or {}),
        )

    return connect
