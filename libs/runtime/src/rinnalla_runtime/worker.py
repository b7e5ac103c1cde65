"""Run long-lived async tasks (relays, subscriptions, projections, API servers) until told to stop.

SIGTERM or SIGINT sets the shared stop event; every task sees it and finishes its in-flight work (a
projection commits its batch, a relay its publish). Tasks still running after the grace period are
cancelled. A second signal cancels at once. A task that fails stops the others too: a worker running
with half its subscriptions dead would look healthy while its read models fall behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from rinnalla_runtime.logging import get_logger

StoppableTask = Callable[[asyncio.Event], Awaitable[None]]

EXIT_OK = 0
EXIT_TASK_FAILED = 1
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_until_stopped(
    tasks: Mapping[str, StoppableTask],
    *,
    stop: asyncio.Event | None = None,
    grace_seconds: float = 10.0,
    handle_signals: bool = True,
) -> int:
    """Run `tasks` (name -> coroutine function taking the stop event) until `stop` is set or all end.

    Returns the process exit code: 0 after a requested stop or when every task ended by itself, 1 when
    a task raised.
    """
    log = get_logger("rinnalla_runtime.worker")
    stop_event = stop if stop is not None else asyncio.Event()
    running: dict[asyncio.Task[None], str] = {}

    def cancel_all() -> None:
        for task in running:
            task.cancel()

    signals = (
        stop_on_signals(stop_event, grace_seconds=grace_seconds, on_second_signal=cancel_all)
        if handle_signals
        else contextlib.nullcontext()
    )

    with signals:
        return await _supervise(tasks, stop_event, running, grace_seconds, log)


async def _supervise(
    tasks: Mapping[str, StoppableTask],
    stop_event: asyncio.Event,
    running: dict[asyncio.Task[None], str],
    grace_seconds: float,
    log: Any,
) -> int:
    failed = False

    async def call(factory: StoppableTask) -> None:
        await factory(stop_event)

    try:
        for name, factory in tasks.items():
            running[asyncio.create_task(call(factory), name=name)] = name
        log.info("worker.started", tasks=sorted(tasks))
        stop_waiter: asyncio.Task[Any] = asyncio.create_task(stop_event.wait())
        pending = set(running)
        try:
            while pending and not stop_event.is_set():
                done, _ = await asyncio.wait({*pending, stop_waiter}, return_when=asyncio.FIRST_COMPLETED)
                for task in pending & done:
                    pending.discard(task)
                    if _report(task, running[task], log):
                        failed = True
                        stop_event.set()
        finally:
            stop_waiter.cancel()

        if pending:
            _, still_running = await asyncio.wait(pending, timeout=grace_seconds)
            for task in still_running:
                log.warning("worker.task_cancelled_after_grace", task=running[task], grace_seconds=grace_seconds)
                task.cancel()
            await asyncio.gather(*still_running, return_exceptions=True)
            for task in pending - still_running:
                if _report(task, running[task], log):
                    failed = True
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    log.info("worker.stopped", failed=failed)
    return EXIT_TASK_FAILED if failed else EXIT_OK


@contextlib.contextmanager
def stop_on_signals(
    stop: asyncio.Event, *, grace_seconds: float, on_second_signal: Callable[[], None] | None = None
) -> Iterator[None]:
    """While the block runs, SIGTERM/SIGINT set `stop`; a second signal calls `on_second_signal`."""
    log = get_logger("rinnalla_runtime.worker")
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        name = signal.Signals(signum).name
        if not stop.is_set():
            log.info("worker.stopping", signal=name, grace_seconds=grace_seconds)
            stop.set()
        elif on_second_signal is not None:
            log.warning("worker.forced_stop", signal=name)
            on_second_signal()

    for signum in _SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        yield
    finally:
        for signum in _SIGNALS:
            loop.remove_signal_handler(signum)


def _report(task: asyncio.Task[None], name: str, log: Any) -> bool:
    """Log how a finished task ended; True when it failed."""
    if task.cancelled():
        return False
    error = task.exception()
    if error is None:
        log.info("worker.task_finished", task=name)
        return False
    log.error("worker.task_failed", task=name, exc_info=error)
    return True


def run_worker_process(tasks: Mapping[str, StoppableTask], *, grace_seconds: float = 10.0) -> int:
    """Entry point of a worker process: run until SIGTERM/SIGINT, return the exit code."""
    return asyncio.run(run_until_stopped(tasks, grace_seconds=grace_seconds))
