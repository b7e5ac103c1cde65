"""The retention job's entry points: the worker's daily task and a one-shot run against the database.

The job itself (application/retention.py) decides nothing about when it runs or how it is configured:
the switch (`RuntimeSettings.retention_enabled`) and the periods (`RetentionSettings`) are read in the
composition root and passed in here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date

from rinnalla_runtime.logging import get_logger
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import RetentionSettings
from rinnalla_security.retention import RetentionPolicy

from rinnalla_enrollment.application.retention import RetentionJob, RetentionReport
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment

DAY_SECONDS = 24 * 60 * 60


def retention_job(enrollment: Enrollment, policy: RetentionPolicy) -> RetentionJob:
    return RetentionJob(enrollment.retention_facts, enrollment.eraser, policy)


async def run_retention(
    enrollment: Enrollment, today: date, policy: RetentionPolicy | None = None
) -> RetentionReport:
    """Erase everyone whose retention period ended on or before `today` (default periods unless given)."""
    return await retention_job(enrollment, policy or RetentionPolicy.default()).run(today)


def retention_task(
    enrollment: Enrollment, settings: RetentionSettings, *, interval_seconds: float = DAY_SECONDS
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A worker task: run the job at start and then every `interval_seconds` until `stop` is set.

    The worker adds it only when `RINNALLA_RETENTION_ENABLED` is true, because the job erases for real: a
    test or demo database with old dates would lose records to it the moment a worker starts. A failed run
    is logged and retried at the next interval; it never stops the worker."""
    policy = settings.policy()  # a bad configuration fails at start, not at night
    log = get_logger("enrollment.retention")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await retention_job(enrollment, policy).run(enrollment.clock().date())
            except Exception as error:
                log.error("retention.run_failed", error=f"{type(error).__name__}: {error}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)

    return run


async def run_retention_once(
    settings: RuntimeSettings, retention: RetentionSettings, today: date | None = None
) -> RetentionReport:
    """For the command line: one run against the configured database (today by default)."""
    async with open_enrollment(settings) as enrollment:
        return await retention_job(enrollment, retention.policy()).run(today or enrollment.clock().date())
