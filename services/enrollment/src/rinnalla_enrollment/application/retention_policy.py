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

Whose record it is: a child who was enrolled is in the register of the last team they were in. In a team
that is a wellbeing services county's purchased service (`TeamRegisterRecorded`, register
`purchased_service`) the county is the controller, and a former participant's record is kept for the
county's statutory period (`family_services_record` or `social_welfare_record`) instead of
`programme_record`. Everyone else is in the programme's own register, with the association as controller.

Legal holds: a record whose period has run but which a hold in force on the day covers (the child, a team
the child was ever in, or the child's municipality) is kept, and the schedule says which hold keeps it and
until when. Its guardians are kept with it.

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
from rinnalla_enrollment.domain.records import LegalHold, Register, TeamRegisterRecorded

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


@dataclass(frozen=True)
class ChildRecord:
    """One child's record in the retention schedule: whose it is, its class, and when it goes (or why not)."""

    child_id: str
    tenant: str | None
    register: Register
    controller_county_code: str | None  # None: the association (the programme's own register)
    retention_class: str
    clock_started_on: date | None
    due_on: date | None  # None while the clock has not started
    holds: tuple[LegalHold, ...]  # the holds in force on the day that cover the record

    def status(self, today: date) -> str:
        """`due` (the job erases it), `held` (due, but a legal hold keeps it) or `kept` (not due yet)."""
        if self.due_on is None or self.due_on > today:
            return "kept"
        return "held" if self.holds else "due"


@dataclass(frozen=True)
class HeldRecord:
    """A child whose period has run but whom a legal hold keeps, and why in words."""

    subject_id: str
    retention_class: str
    due_on: date
    holds: tuple[LegalHold, ...]

    @property
    def reason(self) -> str:
        held = "; ".join(hold.describe() for hold in self.holds)
        return f"{self.retention_class}: the period ended on {self.due_on.isoformat()}, kept under {held}"


def register_of(
    child: ChildStatusFacts, registers: Mapping[str, TeamRegisterRecorded]
) -> tuple[Register, str | None, str | None]:
    """The register of the child's record, its county controller (None: the association) and the county's
    statutory class (None: the programme's schedule)."""
    recorded = registers.get(child.last_team_id) if child.last_team_id else None
    if recorded is None or recorded.register_kind is Register.PROGRAMME or recorded.statutory_retention is None:
        return Register.PROGRAMME, None, None
    return Register.PURCHASED_SERVICE, recorded.controller_county_code, recorded.statutory_retention.value


def retained_record(
    child: ChildStatusFacts, registers: Mapping[str, TeamRegisterRecorded] | None = None
) -> RetainedRecord:
    """The child as the retention decision sees them: their class and the day their clock started."""
    retention_class, clock_field = CLOCK_STARTS.get(child.status_event, ("programme_record", ""))
    _register, _controller, statutory = register_of(child, registers or {})
    if retention_class == "programme_record" and statutory is not None:
        retention_class = statutory
    started = _date(child.status_payload, clock_field) if clock_field else None
    return RetainedRecord(child.child_id, retention_class, started)


def holds_covering(child: ChildStatusFacts, holds: Sequence[LegalHold], today: date) -> tuple[LegalHold, ...]:
    return tuple(
        hold for hold in holds
        if hold.in_force_on(today) and hold.covers(child.child_id, child.team_ids, child.tenant)
    )


def schedule(
    children: Sequence[ChildStatusFacts], *, today: date, policy: RetentionPolicy,
    registers: Mapping[str, TeamRegisterRecorded] | None = None, holds: Sequence[LegalHold] = (),
) -> list[ChildRecord]:
    """Every child's record with its register, controller, class, due date and the holds keeping it."""
    found = []
    for child in children:
        record = retained_record(child, registers)
        register, controller, _statutory = register_of(child, registers or {})
        period = policy.get(record.retention_class).period
        started = record.clock_started_on
        found.append(ChildRecord(
            child.child_id, child.tenant, register, controller, record.retention_class, started,
            period.after(started) if started is not None else None, holds_covering(child, holds, today),
        ))
    return found


def held_records(
    children: Sequence[ChildStatusFacts], *, today: date, policy: RetentionPolicy,
    registers: Mapping[str, TeamRegisterRecorded] | None = None, holds: Sequence[LegalHold] = (),
) -> list[HeldRecord]:
    """The children whose period has run by `today` but whom a legal hold keeps."""
    return [
        HeldRecord(r.child_id, r.retention_class, r.due_on, r.holds)
        for r in schedule(children, today=today, policy=policy, registers=registers, holds=holds)
        if r.status(today) == "held" and r.due_on is not None
    ]


def due_erasures(
    children: Sequence[ChildStatusFacts], erased: frozenset[str], *, today: date, policy: RetentionPolicy,
    registers: Mapping[str, TeamRegisterRecorded] | None = None, holds: Sequence[LegalHold] = (),
) -> list[DueErasure]:
    """The children due by `today` and not held, then the guardians left with no child kept (by guardian id)."""
    held = {c.child_id for c in children if holds_covering(c, holds, today)}
    due = [
        item for item in due_for_erasure([retained_record(c, registers) for c in children], today=today, policy=policy)
        if item.record_id not in held
    ]
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
