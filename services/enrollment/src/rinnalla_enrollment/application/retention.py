"""The retention job: erase the people whose retention period has run (GDPR storage limitation).

It loads the facts through the `RetentionFacts` port, asks the policy (retention_policy.py) who is due,
erases them one by one through the erasure service, and reports. One failed erasure does not stop the
others; it is reported, logged, and retried by the next run. Running it again erases nothing more.

The worker task and the one-shot run that call it live in adapters/retention_runner.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rinnalla_runtime.logging import get_logger
from rinnalla_security.retention import RetentionPolicy

from rinnalla_enrollment.application.ports import RetentionFacts, SubjectEraser
from rinnalla_enrollment.application.retention_policy import (
    STATUS_EVENTS,
    DueErasure,
    HeldRecord,
    due_erasures,
    held_records,
)

RETENTION_ACTOR = "system:retention"


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
    held: list[HeldRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        """The report in words, one line per erasure (for the CLI and the log)."""
        head = (
            f"retention on {self.today.isoformat()}: {self.children_checked} children checked, "
            f"{len(self.erased)} people erased, "
            + (f"{len(self.held)} kept under a legal hold, " if self.held else "")
            + f"{len(self.failed)} failed"
        )
        erased = [f"erased {r.subject_kind} {r.subject_id}: {r.reason}" for r in self.erased]
        held = [f"kept child {h.subject_id}: {h.reason}" for h in self.held]
        failed = [f"FAILED {f.subject_kind} {f.subject_id}: {f.error}" for f in self.failed]
        return [head, *erased, *held, *failed]


class RetentionJob:
    """Erase everyone whose retention period ended on or before a day; safe to run again at any time."""

    def __init__(self, facts: RetentionFacts, eraser: SubjectEraser, policy: RetentionPolicy) -> None:
        self._facts = facts
        self._eraser = eraser
        self._policy = policy
        self._log = get_logger("enrollment.retention")

    async def run(self, today: date) -> RetentionReport:
        children = await self._facts.children(STATUS_EVENTS)
        erased = await self._facts.erased_subjects()
        registers = await self._facts.team_registers()
        holds = await self._facts.legal_holds()
        report = RetentionReport(today=today, children_checked=len(children))
        report.held = held_records(children, today=today, policy=self._policy, registers=registers, holds=holds)
        for held in report.held:
            self._log.info("retention.held", subject_id=held.subject_id, retention_class=held.retention_class,
                           due_on=held.due_on.isoformat(), holds=[h.hold_id for h in held.holds])
        for due in due_erasures(children, erased, today=today, policy=self._policy, registers=registers, holds=holds):
            await self._erase(due, report)
        self._log.info("retention.done", today=today.isoformat(), children_checked=report.children_checked,
                       erased=len(report.erased), held=len(report.held), failed=len(report.failed))
        return report

    async def _erase(self, due: DueErasure, report: RetentionReport) -> None:
        kind = due.subject_kind
        try:
            await self._eraser.erase(
                due.subject_id, kind, reason=due.reason, actor=RETENTION_ACTOR, tenant=due.tenant
            )
        except Exception as error:  # one failure must not stop the others; it is reported and retried next run
            report.failed.append(FailedErasure(due.subject_id, kind, f"{type(error).__name__}: {error}"))
            self._log.error("retention.erasure_failed", subject_id=due.subject_id, subject_kind=kind, error=str(error))
            return
        report.erased.append(ErasedRecord(due.subject_id, kind, due.retention_class, due.due_on, due.reason))
        self._log.info("retention.erased", subject_id=due.subject_id, subject_kind=kind,
                       retention_class=due.retention_class, due_on=due.due_on.isoformat(), tenant=due.tenant)
