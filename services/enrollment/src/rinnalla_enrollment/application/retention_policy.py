"""Which people are due for erasure on a given day (GDPR storage limitation), from the facts of the log.

Which period applies, from the child's last selection or participation event:

- not selected (`ChildNotSelected`, including guardians who declined): `declined_nomination`, from the
  decision date (default 6 months);
- a nomination that has not led to an enrolment: nominated (`ChildNominated`), offered (`GuardiansInformed`),
  selected (`ChildSelected`) or on the waiting list (`ChildWaitlisted`): `declined_nomination` too, from the
  date of that step, so every further step restarts the clock and a nomination left unanswered goes;
- exited or completed (`ChildExited`, `ChildCompletedProgramme`): `programme_record`, from the day they
  left (default 5 years);
- under the research follow-up (`ChildFollowUpStarted`): `programme_record`, from the end of the follow-up
  (the child's 20th birthday);
- anything else (active in a team, transferred): the clock has not started.

A guardian is erased with the last of their children: when every child naming them is erased or due.
A guardian who still has a child in the programme is kept. The periods come from the `RetentionPolicy`
given (`RetentionSettings`, `RINNALLA_RETENTION_PERIODS`); the decision per child is the security
library's `due_for_erasure`.

Pure: no I/O, no clock; the job (retention.py) loads the facts and carries the erasures out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rinnalla_security.retention import ErasureDue, RetainedRecord, RetentionPolicy, due_for_erasure

from rinnalla_enrollment.application.ports import ChildStatusFacts, SubjectKind

# The events that set a child's selection or participation status, and the date field of the ending ones.
STATUS_EVENTS = (
    "enrollment.ChildNominated", "enrollment.GuardiansInformed", "enrollment.ChildSelected",
    "enrollment.ChildWaitlisted", "enrollment.ChildNotSelected", "enrollment.ChildEnrolled",
    "enrollment.ChildTransferred", "enrollment.ChildExited", "enrollment.ChildCompletedProgramme",
    "enrollment.ChildFollowUpStarted",
)
CLOCK_STARTS: dict[str, tuple[str, str]] = {
    "enrollment.ChildNominated": ("declined_nomination", "nominated_on"),
    "enrollment.GuardiansInformed": ("declined_nomination", "informed_on"),
    "enrollment.ChildSelected": ("declined_nomination", "decided_on"),
    "enrollment.ChildWaitlisted": ("declined_nomination", "decided_on"),
    "enrollment.ChildNotSelected": ("declined_nomination", "decided_on"),
    "enrollment.ChildExited": ("programme_record", "exited_on"),
    "enrollment.ChildCompletedProgramme": ("programme_record", "completed_on"),
    "enrollment.ChildFollowUpStarted": ("programme_record", "follow_up_until"),
}


@dataclass(frozen=True)
class DueErasure:
    """One person to erase, and why."""

    subject_id: str
    subject_kind: SubjectKind
    tenant: str | None
    retention_class: str
    due_on: date
    reason: str


def retained_record(child: ChildStatusFacts) -> RetainedRecord:
    """The child as the retention decision sees them: their class and the day their clock started."""
    retention_class, clock_field = CLOCK_STARTS.get(child.status_event, ("programme_record", ""))
    started = _date(child.status_payload, clock_field) if clock_field else None
    return RetainedRecord(child.child_id, retention_class, started)


def due_erasures(
    children: Sequence[ChildStatusFacts], erased: frozenset[str], *, today: date, policy: RetentionPolicy
) -> list[DueErasure]:
    """The children due by `today`, then the guardians left with no child kept (by guardian id)."""
    due = due_for_erasure([retained_record(c) for c in children], today=today, policy=policy)
    tenants = {c.child_id: c.tenant for c in children}
    found = [
        DueErasure(item.record_id, "child", tenants.get(item.record_id), item.retention_class, item.due_on,
                   item.reason)
        for item in due
    ]
    for guardian_id, (tenant, item) in sorted(guardians_due(children, due, erased).items()):
        reason = f"guardian of children whose records are erased only; last: {item.reason}"
        found.append(DueErasure(guardian_id, "guardian", tenant, item.retention_class, item.due_on, reason))
    return found


def guardians_due(
    children: Sequence[ChildStatusFacts], due: Sequence[ErasureDue], erased: frozenset[str]
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


def _date(payload: Mapping[str, Any], name: str) -> date | None:
    value = payload.get(name)
    return date.fromisoformat(value) if isinstance(value, str) else None
