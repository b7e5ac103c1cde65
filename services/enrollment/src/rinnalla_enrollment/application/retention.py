"""The retention job: erase children (and guardians) whose retention period has run (GDPR storage limitation).

Which period applies, from the child's last selection or participation event in the log:

- not selected (`ChildNotSelected`, including guardians who declined): `declined_nomination`, from the
  decision date (default 6 months);
- exited or completed (`ChildExited`, `ChildCompletedProgramme`): `programme_record`, from the day they
  left (default 5 years);
- anything else (nominated, offered, selected, on the waiting list, active): the clock has not started.

A guardian is erased with the last of their children: when every child naming them is erased or due.
A guardian who still has a child in the programme is kept. Periods come from `RetentionSettings`
(`RINNALLA_RETENTION_PERIODS`); the decision itself is the security library's `due_for_erasure`.

Only plaintext, non-personal columns of the event store are read (ids, dates, event types): deciding
what to erase needs nobody's name.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rinnalla_runtime.logging import get_logger
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import RetentionSettings
from rinnalla_security.retention import ErasureDue, RetainedRecord, RetentionPolicy, due_for_erasure

from rinnalla_enrollment.application.erasure import Eraser, SubjectDirectory
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment
from rinnalla_enrollment.config import EVENT_SCHEMA

E = EVENT_SCHEMA
RETENTION_ACTOR = "system:retention"
ENABLED_VARIABLE = "RINNALLA_RETENTION_ENABLED"
DAY_SECONDS = 24 * 60 * 60

# The events that set a child's selection or participation status, and the date field of the ending ones.
_STATUS_EVENTS = (
    "enrollment.ChildNominated", "enrollment.GuardiansInformed", "enrollment.ChildSelected",
    "enrollment.ChildWaitlisted", "enrollment.ChildNotSelected", "enrollment.ChildEnrolled",
    "enrollment.ChildTransferred", "enrollment.ChildExited", "enrollment.ChildCompletedProgramme",
)
_CLOCK_STARTS: dict[str, tuple[str, str]] = {
    "enrollment.ChildNotSelected": ("declined_nomination", "decided_on"),
    "enrollment.ChildExited": ("programme_record", "exited_on"),
    "enrollment.ChildCompletedProgramme": ("programme_record", "completed_on"),
}


@dataclass(frozen=True)
class ChildRecord:
    child_id: str
    tenant: str | None
    retained: RetainedRecord
    guardian_ids: frozenset[str]


@dataclass(frozen=True)
class ErasedRecord:
    subject_id: str
    subject_kind: str
    retention_class: str
    due_on: date
    reason: str


@dataclass(frozen=True)
class FailedErasure:
    subject_id: str
    subject_kind: str
    error: str


@dataclass
class RetentionReport:
    today: date
    children_checked: int = 0
    erased: list[ErasedRecord] = field(default_factory=list)
    failed: list[FailedErasure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        """The report in words, one line per erasure (for the CLI and the log)."""
        head = (
            f"retention on {self.today.isoformat()}: {self.children_checked} children checked, "
            f"{len(self.erased)} people erased, {len(self.failed)} failed"
        )
        erased = [f"erased {r.subject_kind} {r.subject_id}: {r.reason}" for r in self.erased]
        failed = [f"FAILED {f.subject_kind} {f.subject_id}: {f.error}" for f in self.failed]
        return [head, *erased, *failed]


async def retained_children(connections: Any) -> list[ChildRecord]:
    """Every child not yet erased, with the event that starts their retention period (if any)."""
    async with connections.acquire() as conn:
        rows = await conn.fetch(
            f"""
            SELECT DISTINCT ON (e.stream_id) e.stream_id, e.tenant, e.event_type, e.payload
              FROM {E}.events e
             WHERE e.stream_type = 'child' AND e.event_type = ANY($1::text[])
               AND NOT EXISTS (SELECT 1 FROM {E}.events s
                                WHERE s.stream_type = 'subject' AND s.stream_id = e.stream_id
                                  AND s.event_type = 'rinnalla.SubjectErased')
             ORDER BY e.stream_id, e.version DESC
            """,
            list(_STATUS_EVENTS),
        )
        links = await conn.fetch(
            f"""
            SELECT DISTINCT e.stream_id AS child_id, g->>'guardian_id' AS guardian_id
              FROM {E}.events e, jsonb_array_elements(e.payload->'guardians') g
             WHERE e.stream_type = 'child' AND jsonb_typeof(e.payload->'guardians') = 'array'
            """
        )
    guardians: dict[str, set[str]] = {}
    for link in links:
        guardians.setdefault(link["child_id"], set()).add(link["guardian_id"])
    records = []
    for row in rows:
        retention_class, clock_field = _CLOCK_STARTS.get(row["event_type"], ("programme_record", ""))
        payload = row["payload"]
        started = _date(payload, clock_field) if clock_field else None
        records.append(
            ChildRecord(
                child_id=row["stream_id"],
                tenant=row["tenant"],
                retained=RetainedRecord(row["stream_id"], retention_class, started),
                guardian_ids=frozenset(guardians.get(row["stream_id"], ())),
            )
        )
    return records


def _date(payload: Any, name: str) -> date | None:
    data = payload if isinstance(payload, dict) else json.loads(payload)
    value = data.get(name)
    return date.fromisoformat(value) if isinstance(value, str) else None


async def erased_subjects(connections: Any) -> frozenset[str]:
    async with connections.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT stream_id FROM {E}.events WHERE stream_type = 'subject' AND event_type = 'rinnalla.SubjectErased'"
        )
    return frozenset(str(row["stream_id"]) for row in rows)


def guardians_due(
    children: Sequence[ChildRecord], due: Sequence[ErasureDue], erased: frozenset[str]
) -> dict[str, tuple[str | None, ErasureDue]]:
    """Guardians all of whose remaining children are due now: guardian id -> (tenant, the latest child's due)."""
    due_by_child = {d.record_id: d for d in due}
    kept: set[str] = set()
    found: dict[str, tuple[str | None, ErasureDue]] = {}
    for child in children:
        for guardian_id in child.guardian_ids:
            if child.child_id not in due_by_child:
                kept.add(guardian_id)
                continue
            item = due_by_child[child.child_id]
            current = found.get(guardian_id)
            if current is None or item.due_on > current[1].due_on:
                found[guardian_id] = (child.tenant, item)
    return {g: v for g, v in found.items() if g not in kept and g not in erased}


def eraser_for(enrollment: Enrollment) -> Eraser:
    directory = SubjectDirectory(enrollment.connections)
    return Eraser(enrollment.store, enrollment.codec.keys, directory, enrollment.clock)


async def run_retention(
    enrollment: Enrollment, today: date, policy: RetentionPolicy | None = None
) -> RetentionReport:
    """Erase everyone whose retention period ended on or before `today`; safe to run again at any time."""
    log = get_logger("enrollment.retention")
    eraser, connections = eraser_for(enrollment), enrollment.connections
    rules = policy or RetentionSettings().policy()
    children = await retained_children(connections)
    due = due_for_erasure([c.retained for c in children], today=today, policy=rules)
    tenants = {c.child_id: c.tenant for c in children}
    report = RetentionReport(today=today, children_checked=len(children))
    guardians = guardians_due(children, due, await erased_subjects(connections))

    async def erase(subject_id: str, kind: str, tenant: str | None, item: ErasureDue, reason: str) -> None:
        try:
            await eraser.erase(
                subject_id, "child" if kind == "child" else "guardian",
                reason=reason, actor=RETENTION_ACTOR, tenant=tenant,
            )
        except Exception as error:  # one failure must not stop the others; it is reported and retried next run
            report.failed.append(FailedErasure(subject_id, kind, f"{type(error).__name__}: {error}"))
            log.error("retention.erasure_failed", subject_id=subject_id, subject_kind=kind, error=str(error))
            return
        report.erased.append(ErasedRecord(subject_id, kind, item.retention_class, item.due_on, reason))
        log.info("retention.erased", subject_id=subject_id, subject_kind=kind, retention_class=item.retention_class,
                 due_on=item.due_on.isoformat(), tenant=tenant)

    for item in due:
        await erase(item.record_id, "child", tenants.get(item.record_id), item, item.reason)
    for guardian_id, (tenant, item) in sorted(guardians.items()):
        reason = f"guardian of children whose records are erased only; last: {item.reason}"
        await erase(guardian_id, "guardian", tenant, item, reason)
    log.info("retention.done", today=today.isoformat(), children_checked=report.children_checked,
             erased=len(report.erased), failed=len(report.failed))
    return report


def worker_retention_task(
    enrollment: Enrollment, environ: Mapping[str, str] | None = None
) -> Callable[[asyncio.Event], Awaitable[None]] | None:
    """The worker's hook: the daily job when `RINNALLA_RETENTION_ENABLED` is true, else None.

    Off unless enabled, because the job erases for real: a test or demo database with old dates would
    lose records to it the moment a worker starts. Production sets it."""
    value = (os.environ if environ is None else environ).get(ENABLED_VARIABLE, "").strip().lower()
    if value not in {"1", "true", "yes", "on"}:
        return None
    return retention_task(enrollment)


def retention_task(
    enrollment: Enrollment,
    settings: RetentionSettings | None = None,
    *,
    interval_seconds: float = DAY_SECONDS,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A worker task: run the job at start and then every `interval_seconds` until `stop` is set.

    A failed run is logged and retried at the next interval; it never stops the worker."""
    policy = (settings or RetentionSettings()).policy()  # a bad configuration fails at start, not at night
    log = get_logger("enrollment.retention")

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await run_retention(enrollment, enrollment.clock().date(), policy)
            except Exception as error:
                log.error("retention.run_failed", error=f"{type(error).__name__}: {error}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)

    return run


async def run_retention_once(settings: RuntimeSettings, today: date | None = None) -> RetentionReport:
    """For the command line: one run against the configured database (today by default)."""
    async with open_enrollment(settings) as enrollment:
        return await run_retention(enrollment, today or enrollment.clock().date())
