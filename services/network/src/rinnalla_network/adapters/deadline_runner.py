"""The scheduled deadline check as a worker task: at start and then every interval, at the service clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from rinnalla_runtime.logging import get_logger

from rinnalla_network.bootstrap import Network

CHECK_INTERVAL_SECONDS = 15 * 60


def deadline_task(
    network: Network, *, interval_seconds: float = CHECK_INTERVAL_SECONDS
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A failed run (e.g. the consent register behind enrollment) is logged and retried at the next interval;
    it never stops the worker."""
    log = get_logger("network.deadlines")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                report = await network.deadline_check().run(network.clock())
                if report.recorded:
                    log.info("deadlines.recorded", checked=report.checked, recorded=len(report.recorded))
            except Exception as error:
                log.error("deadlines.run_failed", error=f"{type(error).__name__}: {error}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)

    return run
