"""Readiness: can this process serve requests right now? Each check raises (or times out) when it cannot.

Checks run concurrently with a short timeout, so /readyz answers quickly even while a server hangs, and
the orchestrator stops sending traffic until PostgreSQL and NATS answer again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg
import nats

from rinnalla_runtime.nats_options import nats_connect_options
from rinnalla_runtime.settings import RuntimeSettings

ReadinessCheck = Callable[[], Awaitable[None]]

_MAX_REASON = 200


class NotReady(RuntimeError):
    """A dependency answered, but not in a state this process can work with."""


async def _outcome(check: ReadinessCheck, timeout_seconds: float) -> str:
    try:
        async with asyncio.timeout(timeout_seconds):
            await check()
    except TimeoutError:
        return f"timed out after {timeout_seconds:g}s"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        return reason[:_MAX_REASON]
    return "ok"


async def run_readiness_checks(
    checks: Mapping[str, ReadinessCheck], timeout_seconds: float
) -> tuple[bool, dict[str, str]]:
    """(all passed, {check name: "ok" or the reason it failed})."""
    names = list(checks)
    outcomes = await asyncio.gather(*(_outcome(checks[name], timeout_seconds) for name in names))
    results = dict(zip(names, outcomes, strict=True))
    return all(outcome == "ok" for outcome in outcomes), results


def postgres_check(dsn: str, *, connect_timeout: float = 2.0) -> ReadinessCheck:
    """Opens a connection and runs `SELECT 1`: proves the server accepts this service's credentials."""

    async def check() -> None:
        conn = await asyncpg.connect(dsn, timeout=connect_timeout)
        try:
            await conn.fetchval("SELECT 1")
        finally:
            await conn.close()

    return check


def nats_client_check(get_client: Callable[[], Any], *, flush_timeout: int = 1) -> ReadinessCheck:
    """Checks the process's own NATS connection: connected, and a PING answered within `flush_timeout`.

    `get_client` returns the `nats.aio.client.Client` (or None before the app has connected), so the check
    can be built before the connection exists.
    """

    async def check() -> None:
        client = get_client()
        if client is None:
            raise NotReady("not connected to NATS yet")
        if not client.is_connected:
            raise NotReady("NATS connection is down (reconnecting)")
        await client.flush(timeout=flush_timeout)

    return check


def nats_url_check(
    url: str, *, connect_timeout: float = 2.0, options: Mapping[str, Any] | None = None
) -> ReadinessCheck:
    """Connects to `url`, round-trips a PING, and disconnects: for processes without a long-lived client.
    `options` are further `nats.connect` keyword arguments (credentials, TLS)."""

    async def quiet(_error: Exception) -> None:
        """Connection errors surface as the exception from `connect`; no need to log them twice."""

    async def check() -> None:
        client = await nats.connect(
            url,
            connect_timeout=connect_timeout,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            error_cb=quiet,
            **(options or {}),
        )
        try:
            await client.flush(timeout=math.ceil(connect_timeout))
        finally:
            await client.close()

    return check


def server_checks(settings: RuntimeSettings) -> dict[str, ReadinessCheck]:
    """A service is ready when both servers answer: commands need PostgreSQL, and without NATS nothing
    reaches the read models (commands still succeed then; the relay catches up when NATS is back)."""
    checks = {"postgres": postgres_check(settings.require_database_dsn())}
    if settings.nats_url:
        checks["nats"] = nats_url_check(settings.nats_url, options=nats_connect_options(settings))
    return checks
