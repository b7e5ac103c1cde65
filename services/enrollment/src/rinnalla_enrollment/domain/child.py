"""Child aggregate: one child's way through the programme, and the child's consent register.

Nominated by a multi-professional group in preschool (or later, up to age 12) -> guardians informed
-> selected, waitlisted or not selected -> enrolled in a team (with the participation consent of
whoever decides for the child) -> transferred between teams -> exited early or completed. A child is
in at most one team at a time. The consent register of the child and the child's guardians lives in
the same stream, so that enrolment sees the consents it depends on.

Roster rules (room in the team, late joining up to age 12) belong to the team: use the workflows in
`workflows.py` for enrolment, transfer, exit and completion, which decide for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import assert_never

import rinnalla_consent as consent
from rinnalla_events import DomainEvent
from rinnalla_refdata import ReferenceDataError, municipality, parse_hetu

from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.consent_facts import consent_facts, consent_view
from rinnalla_enrollment.domain.errors import (
    AlreadyExists,
    InvalidTransition,
    InvalidValue,
    NotFound,
    RuleViolated,
)
from rinnalla_enrollment.domain.values import (
    ChildStatus,
    CompletionOutcome,
    ExitReason,
    Guardian,
    School,
    age_on,
    check_guardians,
    check_school,
    parse_iso_date,
    require_text,
)

STREAM_TYPE = "child"
NOMINATION_AGES = range(5, 13)  # preschool (5-6) up to the last age of late joining (12)
ENROLMENT_AGES = range(6, 19)  # 6-18
MIN_PROFESSIONS = 2
RENOMINATABLE = frozenset({ChildStatus.NOT_SELECTED, ChildStatus.EXITED})
CANDIDATE = frozenset({ChildStatus.OFFERED, ChildStatus.SELECTED, ChildStatus.WAITLISTED})


@dataclass(frozen=True)
class Membership:
    team_id: str
    joined_on: date
    left_on: date | None = None


@dataclass(frozen=True)
class ChildState:
    child_id: str = ""
    status: ChildStatus | None = None  # None: no such child
    municipality_code: str = ""
    nominated_on: date | None = None
    considered_team_id: str | None = None  # the team of the nomination, selection or waitlist
    active_team_id: str | None = None
    memberships: tuple[Membership, ...] = ()
    # None when unknown or erased.
    date_of_birth: date | None = None
    guardians: tuple[Guardian, ...] = ()
    enrolled_on: date | None = None
    ended_on: date | None = None
    exit_reason: ExitReason | None = None
    completion_outcome: CompletionOutcome | None = None
    consents: consent.ConsentView = field(default_factory=consent.ConsentView)

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def guardian_ids(self) -> frozenset[str]:
        return frozenset(g.guardian_id for g in self.guardians)


def initial() -> ChildState:
    return ChildState()


def decide(state: ChildState, command: c.ChildCommand) -> list[DomainEvent]:
    if isinstance(command, c.NominateChild):
        return _nominate(state, command)
    if not state.exists:
        raise NotFound("child_id", f"child {command.child_id} has not been nominated")
    match command:
        case c.InformGuardians():
            _require(state, {ChildStatus.NOMINATED}, "inform the guardians")
            check_guardians(command.guardians)
            return [
                e.GuardiansInformed(
                    child_id=state.child_id,
                    guardians=command.guardians,
                    informed_on=command.informed_on,
                    at=command.at,
                )
            ]
        case c.ChangeGuardians():
            check_guardians(command.guardians)
            return [e.GuardiansChanged(child_id=state.child_id, guardians=command.guardians, at=command.at)]
        case c.SelectChild():
            _require(state, {ChildStatus.OFFERED, ChildStatus.WAITLISTED}, "select the child")
            return [e.ChildSelected(child_id=state.child_id, team_id=command.team_id, decided_on=command.decided_on)]
        case c.WaitlistChild():
            _require(state, {ChildStatus.OFFERED, ChildStatus.SELECTED}, "put the child on the waiting list")
            return [e.ChildWaitlisted(child_id=state.child_id, team_id=command.team_id, decided_on=command.decided_on)]
        case c.RecordChildNotSelected():
            _require(state, CANDIDATE, "record that the child was not selected")
            return [e.ChildNotSelected(child_id=state.child_id, decided_on=command.decided_on, reason=command.reason)]
        case c.EnrolChild():
            return _enrol(state, command)
        case c.TransferChild():
            return _transfer(state, command)
        case c.ExitChild():
            team_id = _active_team(state, "exit")
            _not_before_enrolment(state, command.exited_on, "exited_on")
            return [
                e.ChildExited(
                    child_id=state.child_id, team_id=team_id, exited_on=command.exited_on, reason=command.reason
                )
            ]
        case c.CompleteChildProgramme():
            team_id = _active_team(state, "complete the programme")
            _not_before_enrolment(state, command.completed_on, "completed_on")
            return [
                e.ChildCompletedProgramme(
                    child_id=state.child_id,
                    team_id=team_id,
                    completed_on=command.completed_on,
                    outcome=command.outcome,
                )
            ]
        case c.GiveConsent():
            return _give_consent(state, command)
        case c.RefuseConsent():
            return _refuse_consent(state, command)
        case c.WithdrawConsent():
            return _withdraw_consent(state, command)
        case c.ExpireConsent():
            record = _consent(state, command.consent_id)
            if record.ended_at is not None and record.ended_at <= command.at:
                return []
            return [e.ConsentExpired(child_id=state.child_id, consent_id=command.consent_id, at=command.at)]
        case c.RecordMinorProhibition():
            if _prohibition(state, command.purpose) is not None:
                return []
            return [
                e.MinorProhibitionRecorded(
                    child_id=state.child_id, purpose=command.purpose, recorded_by=command.recorded_by, at=command.at
                )
            ]
        case c.LiftMinorProhibition():
            if _prohibition(state, command.purpose) is None:
                what = command.purpose.value if command.purpose else "all purposes"
                raise InvalidTransition("purpose", f"the child has no prohibition in force for {what}")
            return [
                e.MinorProhibitionLifted(
                    child_id=state.child_id, purpose=command.purpose, recorded_by=command.recorded_by, at=command.at
                )
            ]
        case c.AssessMinorUnderstanding():
            return [
                e.MinorUnderstandingAssessed(
                    child_id=state.child_id,
                    purpose=command.purpose,
                    understands=command.understands,
                    assessed_by=command.assessed_by,
                    at=command.at,
                )
            ]
        case _:
            assert_never(command)


def _require(state: ChildState, allowed: set[ChildStatus] | frozenset[ChildStatus], action: str) -> None:
    if state.status not in allowed:
        raise InvalidTransition("child_id", f"cannot {action}: the child is {state.status}")


def _active_team(state: ChildState, action: str) -> str:
    if state.status is not ChildStatus.ACTIVE or state.active_team_id is None:
        raise InvalidTransition("child_id", f"cannot {action}: the child is not in a team (status {state.status})")
    return state.active_team_id


def _not_before_enrolment(state: ChildState, day: date, field: str) -> None:
    joined = state.memberships[-1].joined_on if state.memberships else state.enrolled_on
    if joined is not None and day < joined:
        raise InvalidValue(field, f"the date is before the child joined the current team ({joined.isoformat()})")


def _nominate(state: ChildState, command: c.NominateChild) -> list[DomainEvent]:
    if state.exists and state.status not in RENOMINATABLE:
        raise AlreadyExists("child_id", f"child {command.child_id} is already in the programme ({state.status})")
    try:
        municipality(command.municipality_code)
    except ReferenceDataError as exc:
        raise InvalidValue("municipality_code", exc.reason) from None
    check_school(command.preschool, "preschool")
    require_text(command.child.given_names, "child.given_names", "the child's given names")
    require_text(command.child.family_name, "child.family_name", "the child's family name")
    age = age_on(command.child.date_of_birth, command.nominated_on)
    if age not in NOMINATION_AGES:
        raise RuleViolated(
            "child.date_of_birth",
            f"children are nominated from preschool up to age {NOMINATION_AGES[-1]}; this child is {age}",
        )
    if len(set(command.nominated_by)) < MIN_PROFESSIONS:
        raise RuleViolated(
            "nominated_by",
            "a nomination is made by a multi-professional group: at least two different professions "
            "(e.g. early childhood education and social services)",
        )
    if not command.reasons:
        raise InvalidValue("reasons", "at least one reason for the nomination is required")
    reasons = tuple(dict.fromkeys(command.reasons))
    return [
        e.ChildNominated(
            child_id=command.child_id,
            municipality_code=command.municipality_code,
            team_id=command.team_id,
            preschool=School(name=command.preschool.name.strip(), code=command.preschool.code.strip()),
            nominated_on=command.nominated_on,
            nominated_by=tuple(dict.fromkeys(command.nominated_by)),
            reasons=",".join(reason.value for reason in reasons),
            given_names=command.child.given_names.strip(),
            family_name=command.child.family_name.strip(),
            date_of_birth=command.child.date_of_birth.isoformat(),
            at=command.at,
        )
    ]


def _enrol(state: ChildState, command: c.EnrolChild) -> list[DomainEvent]:
    if state.status is ChildStatus.ACTIVE:
        raise InvalidTransition(
            "child_id",
            f"the child is already in team {state.active_team_id}; a child is in one team at a time, "
            "use a transfer to move them",
        )
    _require(state, {ChildStatus.SELECTED}, "enrol the child before they are selected")
    if command.team_id != state.considered_team_id:
        raise RuleViolated("team_id", f"the child was selected for team {state.considered_team_id}")
    details = command.child
    require_text(details.given_names, "child.given_names", "the child's given names")
    require_text(details.family_name, "child.family_name", "the child's family name")
    try:
        identity = parse_hetu(details.hetu)
    except ReferenceDataError as exc:
        raise InvalidValue("child.hetu", exc.reason) from None
    if identity.date_of_birth != details.date_of_birth:
        raise InvalidValue("child.date_of_birth", "does not match the date of birth in the identity code")
    age = age_on(details.date_of_birth, command.enrolled_on)
    if age not in ENROLMENT_AGES:
        raise RuleViolated(
            "child.date_of_birth",
            f"children can be enrolled at ages {ENROLMENT_AGES[0]}-{ENROLMENT_AGES[-1]}; "
            f"this child is {age} on {command.enrolled_on.isoformat()}",
        )
    check_guardians(command.guardians)
    check_school(command.school, "school")
    require_text(command.class_name, "class_name", "the child's class")
    draft = e.ChildEnrolled(
        child_id=state.child_id,
        team_id=command.team_id,
        enrolled_on=command.enrolled_on,
        given_names=details.given_names.strip(),
        family_name=details.family_name.strip(),
        hetu=identity.value,
        date_of_birth=details.date_of_birth.isoformat(),
        guardians=command.guardians,
        school=command.school,
        class_name=command.class_name.strip(),
        consent_id="",
        at=command.at,
    )
    # Judge the consent as it stands after the enrolment (the guardians listed here decide).
    after = consent_view([draft], state.consents)
    decision = consent.consent_in_force(after, state.child_id, consent.Purpose.PARTICIPATION, command.at)
    if not decision.allowed or decision.consent_id is None:
        raise RuleViolated("consents.participation", f"no participation consent: {decision.reason}")
    return [draft.model_copy(update={"consent_id": decision.consent_id})]


def _transfer(state: ChildState, command: c.TransferChild) -> list[DomainEvent]:
    from_team = _active_team(state, "transfer the child")
    if command.to_team_id == from_team:
        raise RuleViolated("to_team_id", "the child is already in this team")
    _not_before_enrolment(state, command.transferred_on, "transferred_on")
    return [
        e.ChildTransferred(
            child_id=state.child_id,
            from_team_id=from_team,
            to_team_id=command.to_team_id,
            transferred_on=command.transferred_on,
            reason=command.reason,
        )
    ]


# --- consent register --------------------------------------------------------------------------------


def _check_subject(state: ChildState, subject_id: str) -> None:
    if subject_id != state.child_id and subject_id not in state.guardian_ids:
        raise RuleViolated("subject_id", "consents are recorded for the child or for one of the child's guardians")


def _consent(state: ChildState, consent_id: str) -> consent.ConsentRecord:
    record = state.consents.consent(consent_id)
    if record is None:
        raise NotFound("consent_id", f"no consent {consent_id} in this child's register")
    return record


def _prohibition(state: ChildState, purpose: consent.Purpose | None) -> consent.Prohibition | None:
    """The standing (not lifted) prohibition with exactly this scope."""
    record = state.consents.subject(state.child_id)
    if record is None:
        return None
    return next(
        (p for p in record.prohibitions if p.purpose == purpose and p.lifted_at is None),
        None,
    )


def _give_consent(state: ChildState, command: c.GiveConsent) -> list[DomainEvent]:
    if state.consents.consent(command.consent_id) is not None:
        raise AlreadyExists("consent_id", f"consent {command.consent_id} is already recorded")
    _check_subject(state, command.subject_id)
    if command.subject_id != state.child_id:
        if command.given_by != command.subject_id:
            raise RuleViolated("given_by", "a guardian consents to the use of their own data themself")
    elif command.given_by == state.child_id:
        record = state.consents.subject(state.child_id)
        if record is None or not consent.decides_for_themself(record, command.purpose, command.at):
            raise RuleViolated(
                "given_by",
                "the child's own consent counts once the child is assessed to understand the matter "
                "(record the assessment first) or is 18",
            )
    elif command.given_by not in state.guardian_ids:
        raise RuleViolated("given_by", "only the child's guardians, or the child, can consent for the child")
    starts = command.valid_from or command.at
    if command.valid_until is not None and command.valid_until <= starts:
        raise InvalidValue("valid_until", "a consent must end after it starts")
    return [
        e.ConsentGiven(
            child_id=state.child_id,
            consent_id=command.consent_id,
            subject_id=command.subject_id,
            purpose=command.purpose,
            given_by=command.given_by,
            at=command.at,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
        )
    ]


def _refuse_consent(state: ChildState, command: c.RefuseConsent) -> list[DomainEvent]:
    _check_subject(state, command.subject_id)
    entitled = {command.subject_id} if command.subject_id != state.child_id else {state.child_id, *state.guardian_ids}
    if command.refused_by not in entitled:
        raise RuleViolated("refused_by", "only the person concerned, or the child's guardians, can refuse")
    return [
        e.ConsentRefused(
            child_id=state.child_id,
            subject_id=command.subject_id,
            purpose=command.purpose,
            refused_by=command.refused_by,
            at=command.at,
        )
    ]


def _withdraw_consent(state: ChildState, command: c.WithdrawConsent) -> list[DomainEvent]:
    record = _consent(state, command.consent_id)
    if record.ended_at is not None and record.ended_at <= command.at:
        raise InvalidTransition(
            "consent_id", f"the consent already ended on {record.ended_at.date().isoformat()} ({record.end_reason})"
        )
    entitled = {record.given_by, record.subject_id}
    if record.subject_id == state.child_id:
        entitled |= state.guardian_ids
    if command.withdrawn_by not in entitled:
        raise RuleViolated("withdrawn_by", "only the giver, the person concerned or the child's guardians can withdraw")
    return [
        e.ConsentWithdrawn(
            child_id=state.child_id, consent_id=command.consent_id, withdrawn_by=command.withdrawn_by, at=command.at
        )
    ]


# --- evolve ------------------------------------------------------------------------------------------


def evolve(state: ChildState, event: DomainEvent) -> ChildState:
    facts = consent_facts(event)
    if facts:
        state = replace(state, consents=consent.fold(facts, state.consents))
    match event:
        case e.ChildNominated():
            return replace(
                state,
                child_id=event.child_id,
                status=ChildStatus.NOMINATED,
                municipality_code=event.municipality_code,
                nominated_on=event.nominated_on,
                considered_team_id=event.team_id,
                date_of_birth=parse_iso_date(event.date_of_birth),
                ended_on=None,
                exit_reason=None,
                completion_outcome=None,
            )
        case e.GuardiansInformed():
            return replace(state, status=ChildStatus.OFFERED, guardians=event.guardians)
        case e.GuardiansChanged():
            return replace(state, guardians=event.guardians)
        case e.ChildSelected():
            return replace(state, status=ChildStatus.SELECTED, considered_team_id=event.team_id)
        case e.ChildWaitlisted():
            return replace(state, status=ChildStatus.WAITLISTED, considered_team_id=event.team_id)
        case e.ChildNotSelected():
            return replace(state, status=ChildStatus.NOT_SELECTED, considered_team_id=None)
        case e.ChildEnrolled():
            return replace(
                state,
                status=ChildStatus.ACTIVE,
                active_team_id=event.team_id,
                considered_team_id=None,
                memberships=(*state.memberships, Membership(event.team_id, event.enrolled_on)),
                date_of_birth=parse_iso_date(event.date_of_birth),
                guardians=event.guardians,
                enrolled_on=event.enrolled_on,
            )
        case e.ChildTransferred():
            memberships = _close_membership(state, event.transferred_on)
            return replace(
                state,
                active_team_id=event.to_team_id,
                memberships=(*memberships, Membership(event.to_team_id, event.transferred_on)),
            )
        case e.ChildExited():
            return replace(
                state,
                status=ChildStatus.EXITED,
                active_team_id=None,
                memberships=_close_membership(state, event.exited_on),
                ended_on=event.exited_on,
                exit_reason=event.reason,
            )
        case e.ChildCompletedProgramme():
            return replace(
                state,
                status=ChildStatus.COMPLETED,
                active_team_id=None,
                memberships=_close_membership(state, event.completed_on),
                ended_on=event.completed_on,
                completion_outcome=event.outcome,
            )
        case _:
            return state


def _close_membership(state: ChildState, day: date) -> tuple[Membership, ...]:
    return tuple(replace(m, left_on=day) if m.left_on is None else m for m in state.memberships)
