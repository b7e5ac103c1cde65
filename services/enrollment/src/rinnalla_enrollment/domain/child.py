"""Child aggregate: one child's way through the programme, and the child's consent register.

Nominated by a multi-professional group in pre-primary education (or later, up to the late-joining
age) -> guardians informed -> selected, waitlisted or not selected -> enrolled in a team (with the
participation consent of whoever decides for the child) -> school and class changes, transfers between
teams -> exited early, or completed and then followed up for the research until age 20. Ages are
counted by cohort (school year and birth year), not by exact age. A child is
in at most one team at a time. The consent register of the child and the child's guardians lives in
the same stream, so that enrolment sees the consents it depends on.

Roster rules (room in the team, late joining up to age 12) belong to the team: use the workflows in
`workflows.py` for enrolment, transfer, exit and completion, which decide for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import assert_never

import rinnalla_consent as consent
from rinnalla_events import DomainEvent
from rinnalla_refdata import PersonalIdentityCode, ReferenceDataError, municipality, parse_hetu

from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.consent_facts import consent_facts, consent_view
from rinnalla_enrollment.domain.consent_records import (
    HEARING_AGE,
    ConsentEvidence,
    CustodyException,
    check_evidence,
)
from rinnalla_enrollment.domain.errors import (
    AlreadyExists,
    InvalidTransition,
    InvalidValue,
    NotFound,
    RuleViolated,
)
from rinnalla_enrollment.domain.values import (
    FOLLOW_UP_AGE,
    ChildStatus,
    CompletionOutcome,
    ExitReason,
    Guardian,
    IdentityCodeKind,
    School,
    age_on,
    birthday_at,
    check_guardians,
    check_school,
    finnish_date,
    parse_iso_date,
    programme_grade,
    require_text,
)

STREAM_TYPE = "child"
# By school year of the child's cohort: 0 is pre-primary (the year they turn six), 6 the last year of
# late joining (the child turns 12); enrolment runs to the 12th school year (the child turns 18).
NOMINATION_GRADES = range(0, 7)
ENROLMENT_GRADES = range(0, 13)
BASIC_EDUCATION_LAST_GRADE = 9  # nobody completes the programme before finishing basic education
MIN_PROFESSIONS = 2
RENOMINATABLE = frozenset({ChildStatus.NOT_SELECTED, ChildStatus.EXITED})
CANDIDATE = frozenset({ChildStatus.OFFERED, ChildStatus.SELECTED, ChildStatus.WAITLISTED})
ENROLLED_ONCE = frozenset({ChildStatus.ACTIVE, ChildStatus.EXITED, ChildStatus.COMPLETED, ChildStatus.FOLLOW_UP})
SHARING_PURPOSES = frozenset(p for p in consent.Purpose if p.value.startswith("sharing_"))
TEMPORARY_INDIVIDUAL_NUMBERS = range(900, 1000)


@dataclass(frozen=True)
class Membership:
    team_id: str
    joined_on: date
    left_on: date | None = None


@dataclass(frozen=True)
class Recorded:
    """Who recorded a consent statement, and its evidence (None for statements recorded before v2)."""

    recorded_by: str
    evidence: ConsentEvidence | None


@dataclass(frozen=True)
class Hearing:
    purpose: consent.Purpose
    heard_on: date
    child_view: str
    heard_by: str


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
    cohort_year: int | None = None  # the birth year, known from the nomination on
    identity_code: IdentityCodeKind | None = None  # None until enrolled
    guardians: tuple[Guardian, ...] = ()
    enrolled_on: date | None = None
    ended_on: date | None = None
    exit_reason: ExitReason | None = None
    completion_outcome: CompletionOutcome | None = None
    follow_up_until: date | None = None
    consents: consent.ConsentView = field(default_factory=consent.ConsentView)
    # consent id -> who recorded the consent and its evidence
    consent_records: tuple[tuple[str, Recorded], ...] = ()
    hearings: tuple[Hearing, ...] = ()
    custody_exception_ids: frozenset[str] = frozenset()

    def recorded(self, consent_id: str) -> Recorded | None:
        return next((r for cid, r in self.consent_records if cid == consent_id), None)

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
            return _inform_guardians(state, command)
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
        case c.RecordPermanentIdentityCode():
            return _record_permanent_identity(state, command)
        case c.ChangeSchool():
            return _change_school(state, command)
        case c.TransferChild():
            return _transfer(state, command)
        case c.ExitChild():
            return _exit(state, command)
        case c.StartFollowUp():
            return _start_follow_up(state, command)
        case c.CompleteChildProgramme():
            team_id = _active_team(state, "complete the programme")
            _not_before_enrolment(state, command.completed_on, "completed_on")
            _check_completion_age(state, command.completed_on)
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
            return _prohibit(state, command)
        case c.LiftMinorProhibition():
            if _prohibition(state, command.purpose) is None:
                what = command.purpose.value if command.purpose else "all purposes"
                raise InvalidTransition("purpose", f"the child has no prohibition in force for {what}")
            check_evidence(command.evidence, state.child_id, command.recorded_by)
            return [
                e.MinorProhibitionLifted(
                    child_id=state.child_id,
                    purpose=command.purpose,
                    recorded_by=command.recorded_by,
                    at=command.at,
                    evidence=command.evidence,
                )
            ]
        case c.RecordCustodyException():
            return _custody_exception(state, command)
        case c.RecordChildHearing():
            return _hearing(state, command)
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
    if state.exit_reason is ExitReason.DEATH:
        raise RuleViolated("child_id", "the child has died")
    try:
        municipality(command.municipality_code)
    except ReferenceDataError as exc:
        raise InvalidValue("municipality_code", exc.reason) from None
    check_school(command.preschool, "preschool")
    require_text(command.preschool_reference, "preschool_reference", "the preschool's reference for the child")
    grade = programme_grade(command.cohort_year, command.nominated_on)
    if grade not in NOMINATION_GRADES:
        raise RuleViolated(
            "cohort_year",
            "children are nominated from pre-primary education (the school year they turn six, 0) up to "
            f"school year {NOMINATION_GRADES[-1]} (they turn 12); a child born in {command.cohort_year} is in "
            f"school year {grade} on {command.nominated_on.isoformat()}",
        )
    if len(set(command.nominated_by)) < MIN_PROFESSIONS:
        raise RuleViolated(
            "nominated_by",
            "a nomination is made by a multi-professional group: at least two different professions "
            "(e.g. early childhood education and social services)",
        )
    return [
        e.ChildNominated(
            child_id=command.child_id,
            municipality_code=command.municipality_code,
            team_id=command.team_id,
            preschool=School(name=command.preschool.name.strip(), code=command.preschool.code.strip()),
            preschool_reference=command.preschool_reference.strip(),
            cohort_year=command.cohort_year,
            nominated_on=command.nominated_on,
            nominated_by=tuple(dict.fromkeys(command.nominated_by)),
            at=command.at,
        )
    ]


def _inform_guardians(state: ChildState, command: c.InformGuardians) -> list[DomainEvent]:
    _require(state, {ChildStatus.NOMINATED}, "inform the guardians")
    check_guardians(command.guardians)
    details = command.child
    require_text(details.given_names, "child.given_names", "the child's given names")
    require_text(details.family_name, "child.family_name", "the child's family name")
    if state.cohort_year is not None and details.date_of_birth.year != state.cohort_year:
        raise InvalidValue(
            "child.date_of_birth", f"the child was nominated as born in {state.cohort_year}; nominate them again"
        )
    if not command.reasons:
        raise InvalidValue("reasons", "at least one reason for the nomination is required")
    reasons = tuple(dict.fromkeys(command.reasons))
    return [
        e.GuardiansInformed(
            child_id=state.child_id,
            guardians=command.guardians,
            informed_on=command.informed_on,
            at=command.at,
            given_names=details.given_names.strip(),
            family_name=details.family_name.strip(),
            date_of_birth=details.date_of_birth.isoformat(),
            reasons=",".join(reason.value for reason in reasons),
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
    if command.enrolled_on > finnish_date(command.at):
        raise InvalidValue("enrolled_on", "an enrolment is recorded when it has happened, not in advance")
    code_kind, hetu = IdentityCodeKind.NONE, ""
    if details.hetu.strip():
        identity = _identity_code(details.hetu, "child.hetu", allow_temporary=True)
        if identity.date_of_birth != details.date_of_birth:
            raise InvalidValue("child.date_of_birth", "does not match the date of birth in the identity code")
        code_kind = IdentityCodeKind.TEMPORARY if _is_temporary(identity) else IdentityCodeKind.PERMANENT
        hetu = identity.value
    grade = programme_grade(details.date_of_birth.year, command.enrolled_on)
    if grade not in ENROLMENT_GRADES:
        raise RuleViolated(
            "child.date_of_birth",
            "children are enrolled from pre-primary education (the year they turn six) to the school year "
            f"they turn 18; a child born in {details.date_of_birth.year} is in school year {grade} "
            f"on {command.enrolled_on.isoformat()}",
        )
    check_guardians(command.guardians)
    check_school(command.school, "school")
    require_text(command.class_name, "class_name", "the child's class")
    if age_on(details.date_of_birth, command.enrolled_on) >= HEARING_AGE and not _heard(
        state, consent.Purpose.PARTICIPATION
    ):
        raise RuleViolated(
            "child_id",
            f"a child of {HEARING_AGE} or more is heard before the guardians decide on participation: "
            "record the hearing first",
        )
    draft = e.ChildEnrolled(
        child_id=state.child_id,
        team_id=command.team_id,
        enrolled_on=command.enrolled_on,
        given_names=details.given_names.strip(),
        family_name=details.family_name.strip(),
        hetu=hetu,
        date_of_birth=details.date_of_birth.isoformat(),
        guardians=command.guardians,
        school=command.school,
        class_name=command.class_name.strip(),
        consent_id="",
        at=command.at,
        identity_code=code_kind,
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


def _identity_code(text: str, field: str, *, allow_temporary: bool) -> PersonalIdentityCode:
    try:
        return parse_hetu(text, allow_temporary=allow_temporary)
    except ReferenceDataError as exc:
        raise InvalidValue(field, exc.reason) from None


def _is_temporary(identity: PersonalIdentityCode) -> bool:
    return int(identity.value[7:10]) in TEMPORARY_INDIVIDUAL_NUMBERS


def _record_permanent_identity(state: ChildState, command: c.RecordPermanentIdentityCode) -> list[DomainEvent]:
    if state.status not in ENROLLED_ONCE:
        raise InvalidTransition("child_id", "the identity code is recorded at enrolment; this child is not enrolled")
    if state.identity_code is IdentityCodeKind.PERMANENT:
        raise InvalidTransition("hetu", "the child already has a permanent identity code")
    identity = _identity_code(command.hetu, "hetu", allow_temporary=False)
    # The date of birth of a newly arrived child may have been an estimate: the code's date is the right one.
    return [
        e.ChildPermanentIdentityCodeRecorded(
            child_id=state.child_id,
            hetu=identity.value,
            date_of_birth=identity.date_of_birth.isoformat(),
            at=command.at,
        )
    ]


def _change_school(state: ChildState, command: c.ChangeSchool) -> list[DomainEvent]:
    _active_team(state, "change the child's school")
    if state.enrolled_on is not None and command.changed_on < state.enrolled_on:
        raise InvalidValue("changed_on", f"the date is before the child was enrolled ({state.enrolled_on.isoformat()})")
    check_school(command.school, "school")
    require_text(command.class_name, "class_name", "the child's class")
    return [
        e.ChildSchoolChanged(
            child_id=state.child_id,
            school=School(name=command.school.name.strip(), code=command.school.code.strip()),
            class_name=command.class_name.strip(),
            changed_on=command.changed_on,
        )
    ]


def _exit(state: ChildState, command: c.ExitChild) -> list[DomainEvent]:
    team_id = _active_team(state, "exit")
    _not_before_enrolment(state, command.exited_on, "exited_on")
    events: list[DomainEvent] = [
        e.ChildExited(child_id=state.child_id, team_id=team_id, exited_on=command.exited_on, reason=command.reason)
    ]
    # Nothing is shared about a child who has left: the sharing consents end with the participation.
    sharing = tuple(
        record.consent_id
        for purpose in sorted(SHARING_PURPOSES)
        for record in _consents_in_force(state, purpose, command.at)
    )
    if sharing:
        events.append(e.SharingConsentsEnded(child_id=state.child_id, consent_ids=sharing, at=command.at))
    return events


def _consents_in_force(state: ChildState, purpose: consent.Purpose, at: datetime) -> list[consent.ConsentRecord]:
    """The consents for `purpose` (of the child or the guardians) that have not ended by `at` (including those
    that start later)."""
    return [
        record
        for subject_id in sorted(state.consents.subjects)
        for record in state.consents.consents_of(subject_id)
        if record.purpose is purpose
        and (record.ended_at is None or record.ended_at > at)
        and (record.valid_until is None or record.valid_until > at)
    ]


def _check_completion_age(state: ChildState, completed_on: date) -> None:
    born = state.date_of_birth
    if born is None:
        raise RuleViolated("child_id", "the child's date of birth is not known, so completion cannot be checked")
    grade = programme_grade(born.year, completed_on)
    if grade < BASIC_EDUCATION_LAST_GRADE:
        raise RuleViolated(
            "completed_on",
            f"the programme is completed at the earliest in the last year of basic education (school year "
            f"{BASIC_EDUCATION_LAST_GRADE}); a child born in {born.year} is in school year {grade}",
        )


def _start_follow_up(state: ChildState, command: c.StartFollowUp) -> list[DomainEvent]:
    _require(state, {ChildStatus.COMPLETED}, "start the research follow-up (it follows completion)")
    if state.ended_on is not None and command.started_on < state.ended_on:
        raise InvalidValue("started_on", "the follow-up starts when the programme was completed or later")
    if state.date_of_birth is None:
        raise RuleViolated("child_id", "the child's date of birth is not known, so the follow-up cannot end")
    until = birthday_at(state.date_of_birth, FOLLOW_UP_AGE)
    if command.started_on >= until:
        raise RuleViolated("started_on", f"the follow-up runs until the child turns {FOLLOW_UP_AGE}")
    return [e.ChildFollowUpStarted(child_id=state.child_id, started_on=command.started_on, follow_up_until=until)]


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
    else:
        _check_child_consent_giver(state, command)
    check_evidence(command.evidence, command.given_by, command.recorded_by)
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
            recorded_by=command.recorded_by,
            evidence=command.evidence,
        )
    ]


def _check_child_consent_giver(state: ChildState, command: c.GiveConsent) -> None:
    """Who may consent for the child: the guardians of a minor; the child once of age, or (about disclosing
    their data, not participation) once assessed to understand the matter."""
    record = state.consents.subject(state.child_id)
    adult = record is not None and record.is_adult_at(command.at)
    if command.given_by == state.child_id:
        if record is None or not consent.decides_for_themself(record, command.purpose, command.at):
            if command.purpose is consent.Purpose.PARTICIPATION:
                raise RuleViolated(
                    "given_by",
                    "the guardians decide on a minor's participation after hearing the child: record the "
                    "child's view as a hearing (the child's refusal is recorded as a refusal)",
                )
            raise RuleViolated(
                "given_by",
                "the child's own consent counts once the child is assessed to understand the matter "
                "(record the assessment first) or is 18",
            )
    elif command.given_by not in state.guardian_ids:
        raise RuleViolated("given_by", "only the child's guardians, or the child, can consent for the child")
    elif adult:
        raise RuleViolated(
            "given_by", "the young person is 18: the guardians' consents have ended and the young person consents"
        )


def _refuse_consent(state: ChildState, command: c.RefuseConsent) -> list[DomainEvent]:
    _check_subject(state, command.subject_id)
    record = state.consents.subject(state.child_id)
    of_age = record is not None and record.is_adult_at(command.at)
    if command.subject_id != state.child_id or of_age:
        entitled = {command.subject_id}
    else:
        entitled = {state.child_id, *state.guardian_ids}
    if command.refused_by not in entitled:
        raise RuleViolated("refused_by", "only the person concerned, or the guardians of a minor, can refuse")
    check_evidence(command.evidence, command.refused_by, command.recorded_by)
    return [
        e.ConsentRefused(
            child_id=state.child_id,
            subject_id=command.subject_id,
            purpose=command.purpose,
            refused_by=command.refused_by,
            at=command.at,
            recorded_by=command.recorded_by,
            evidence=command.evidence,
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
    check_evidence(command.evidence, command.withdrawn_by, command.recorded_by)
    return [
        e.ConsentWithdrawn(
            child_id=state.child_id,
            consent_id=command.consent_id,
            withdrawn_by=command.withdrawn_by,
            at=command.at,
            recorded_by=command.recorded_by,
            evidence=command.evidence,
        )
    ]


def _prohibit(state: ChildState, command: c.RecordMinorProhibition) -> list[DomainEvent]:
    if command.purpose is consent.Purpose.PARTICIPATION:
        raise InvalidValue(
            "purpose", "a prohibition is about disclosing data; the child's no to participation is a refusal"
        )
    unknown = sorted(set(command.guardian_ids) - state.guardian_ids)
    if unknown:
        raise RuleViolated("guardian_ids", f"not the child's guardians: {', '.join(unknown)}")
    record = state.consents.subject(state.child_id)
    understands = record is not None and (
        record.understands_at(command.purpose, command.at)
        if command.purpose is not None
        else any(a.purpose is None and a.understands for a in _latest_general(record, command.at))
    )
    if not understands:
        raise RuleViolated(
            "purpose",
            "a minor's prohibition takes effect only with an assessment that the child understands the matter "
            "(Act 812/2000 11 §): record the assessment first",
        )
    check_evidence(command.evidence, state.child_id, command.recorded_by)
    standing = _prohibition(state, command.purpose)
    if standing is not None and standing.guardian_ids == frozenset(command.guardian_ids):
        return []
    return [
        e.MinorProhibitionRecorded(
            child_id=state.child_id,
            purpose=command.purpose,
            recorded_by=command.recorded_by,
            at=command.at,
            guardian_ids=tuple(sorted(set(command.guardian_ids))),
            evidence=command.evidence,
        )
    ]


def _latest_general(record: consent.SubjectRecord, at: datetime) -> list[consent.Assessment]:
    general = [a for a in record.assessments if a.purpose is None and a.at <= at]
    return [max(general, key=lambda a: a.at)] if general else []


def _custody_exception(state: ChildState, command: c.RecordCustodyException) -> list[DomainEvent]:
    if command.exception_id in state.custody_exception_ids:
        raise AlreadyExists("exception_id", f"custody exception {command.exception_id} is already recorded")
    if command.guardian_id not in state.guardian_ids:
        raise RuleViolated("guardian_id", "the guardian who decides alone must be one of the child's guardians")
    require_text(command.basis, "basis", "the basis of the exception (e.g. the court decision and its date)")
    if command.valid_until is not None and command.valid_until <= command.at:
        raise InvalidValue("valid_until", "the exception must end after it is recorded")
    if command.kind is CustodyException.OTHER_GUARDIAN_UNABLE and command.valid_until is None:
        raise InvalidValue(
            "valid_until", "the other guardian's inability to act is temporary: say until when the exception holds"
        )
    return [
        e.CustodyExceptionRecorded(
            child_id=state.child_id,
            exception_id=command.exception_id,
            guardian_id=command.guardian_id,
            kind=command.kind,
            purposes=tuple(sorted(set(command.purposes))),
            basis=command.basis.strip(),
            valid_until=command.valid_until,
            recorded_by=command.recorded_by,
            at=command.at,
        )
    ]


def _hearing(state: ChildState, command: c.RecordChildHearing) -> list[DomainEvent]:
    if command.heard_on > finnish_date(command.at):
        raise InvalidValue("heard_on", "the hearing cannot be in the future")
    return [
        e.ChildHearingRecorded(
            child_id=state.child_id,
            purpose=command.purpose,
            heard_on=command.heard_on,
            child_view=command.child_view,
            heard_by=command.heard_by,
            at=command.at,
        )
    ]


def _heard(state: ChildState, purpose: consent.Purpose) -> bool:
    return any(h.purpose is purpose for h in state.hearings)


# --- evolve ------------------------------------------------------------------------------------------


def evolve(state: ChildState, event: DomainEvent) -> ChildState:
    facts = consent_facts(event)
    if facts:
        state = replace(state, consents=consent.fold(facts, state.consents))
    state = _evolve_consent_records(state, event)
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
                cohort_year=event.cohort_year,
                ended_on=None,
                exit_reason=None,
                completion_outcome=None,
            )
        case e.GuardiansInformed():
            born = parse_iso_date(event.date_of_birth) or state.date_of_birth
            return replace(state, status=ChildStatus.OFFERED, guardians=event.guardians, date_of_birth=born)
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
                identity_code=event.identity_code,
            )
        case e.ChildPermanentIdentityCodeRecorded():
            born = parse_iso_date(event.date_of_birth) or state.date_of_birth
            return replace(state, identity_code=IdentityCodeKind.PERMANENT, date_of_birth=born)
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
        case e.ChildFollowUpStarted():
            return replace(state, status=ChildStatus.FOLLOW_UP, follow_up_until=event.follow_up_until)
        case _:
            return state


def _close_membership(state: ChildState, day: date) -> tuple[Membership, ...]:
    return tuple(replace(m, left_on=day) if m.left_on is None else m for m in state.memberships)


def _evolve_consent_records(state: ChildState, event: DomainEvent) -> ChildState:
    match event:
        case e.ConsentGiven() if state.recorded(event.consent_id) is None:
            entry = (event.consent_id, Recorded(event.recorded_by, event.evidence))
            return replace(state, consent_records=(*state.consent_records, entry))
        case e.ChildHearingRecorded():
            hearing = Hearing(event.purpose, event.heard_on, event.child_view.value, event.heard_by)
            return replace(state, hearings=(*state.hearings, hearing))
        case e.CustodyExceptionRecorded():
            return replace(state, custody_exception_ids=state.custody_exception_ids | {event.exception_id})
        case _:
            return state
