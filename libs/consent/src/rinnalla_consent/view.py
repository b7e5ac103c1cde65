"""The consent register's state, folded from consent facts.

The view keeps history (every statement and interval with its time), not only the latest values, so
that a question can be asked about any moment: "was this disclosure lawful when it happened?" is
answered the same way today as on the day. The fold is total: a fact that refers to something unknown
is kept or ignored, never an error, because the log is the truth and validation happened before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from rinnalla_consent.facts import (
    ConsentExpired,
    ConsentFact,
    ConsentGiven,
    ConsentRefused,
    ConsentWithdrawn,
    CustodyExceptionKind,
    CustodyExceptionRecorded,
    GuardiansChanged,
    MinorProhibitionLifted,
    MinorProhibitionRecorded,
    MinorUnderstandingAssessed,
    SubjectKind,
    SubjectRegistered,
)
from rinnalla_consent.purposes import Purpose

# The day of a moment is the day in Finland: a child comes of age at midnight Finnish time.
FINNISH_TIME = ZoneInfo("Europe/Helsinki")


def finnish_day(at: datetime) -> date:
    return at.astimezone(FINNISH_TIME).date()


class EndReason(StrEnum):
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class ConsentRecord:
    """One consent as given, with when it ended and why."""

    consent_id: str
    subject_id: str
    purpose: Purpose
    given_by: str
    given_at: datetime
    valid_from: datetime
    valid_until: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: EndReason | None = None

    def in_force(self, at: datetime) -> bool:
        return (
            self.valid_from <= at
            and (self.valid_until is None or at < self.valid_until)
            and (self.ended_at is None or at < self.ended_at)
        )


@dataclass(frozen=True)
class Statement:
    """A person's yes (by giving a consent) or no (refusing, withdrawing) about one purpose."""

    person_id: str
    purpose: Purpose
    answer: Answer
    at: datetime
    consent_id: str | None = None


@dataclass(frozen=True)
class Prohibition:
    purpose: Purpose | None
    recorded_at: datetime
    lifted_at: datetime | None = None
    # Guardians the minor refuses as recipients of their data.
    guardian_ids: frozenset[str] = frozenset()

    def standing(self, at: datetime) -> bool:
        return self.recorded_at <= at and (self.lifted_at is None or at < self.lifted_at)

    def in_force(self, purpose: Purpose, at: datetime) -> bool:
        covers = self.purpose is None or self.purpose is purpose
        return covers and self.standing(at)


@dataclass(frozen=True)
class CustodyException:
    """A recorded reason why one guardian decides alone (for some purposes, or all)."""

    exception_id: str
    guardian_id: str
    kind: CustodyExceptionKind
    purposes: frozenset[Purpose]
    at: datetime
    valid_until: datetime | None = None

    def in_force(self, purpose: Purpose, at: datetime) -> bool:
        covers = not self.purposes or purpose in self.purposes
        return covers and self.at <= at and (self.valid_until is None or at < self.valid_until)


@dataclass(frozen=True)
class Assessment:
    purpose: Purpose | None
    understands: bool
    assessed_by: str
    at: datetime


@dataclass(frozen=True)
class SubjectRecord:
    """Everything the register knows about one person's consents."""

    subject_id: str
    # None while facts mention the subject but nobody registered them: then nothing is allowed.
    kind: SubjectKind | None = None
    comes_of_age_on: date | None = None
    guardian_history: tuple[tuple[datetime, frozenset[str]], ...] = ()
    consents: tuple[ConsentRecord, ...] = ()
    statements: tuple[Statement, ...] = ()
    prohibitions: tuple[Prohibition, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    custody_exceptions: tuple[CustodyException, ...] = ()

    def guardians_at(self, at: datetime) -> frozenset[str]:
        current: frozenset[str] = frozenset()
        latest: datetime | None = None
        for since, guardians in self.guardian_history:
            if since <= at and (latest is None or since >= latest):
                current, latest = guardians, since
        return current

    def is_adult_at(self, at: datetime) -> bool:
        if self.kind is SubjectKind.ADULT:
            return True
        return self.comes_of_age_on is not None and finnish_day(at) >= self.comes_of_age_on

    def understands_at(self, purpose: Purpose, at: datetime) -> bool:
        """The latest assessment up to `at` that covers this purpose (a specific or a general one)."""
        latest: Assessment | None = None
        for assessment in self.assessments:
            covers = assessment.purpose is None or assessment.purpose is purpose
            if covers and assessment.at <= at and (latest is None or assessment.at >= latest.at):
                latest = assessment
        return latest is not None and latest.understands

    def latest_statement(self, person_id: str, purpose: Purpose, at: datetime) -> Statement | None:
        """The person's last word on the purpose up to `at` (ties go to the one recorded last)."""
        latest: Statement | None = None
        for statement in self.statements:
            if statement.person_id != person_id or statement.purpose is not purpose or statement.at > at:
                continue
            if latest is None or statement.at >= latest.at:
                latest = statement
        return latest

    def prohibition_at(self, purpose: Purpose, at: datetime) -> Prohibition | None:
        """A standing prohibition covering the purpose, if it takes effect: only while the minor is assessed
        as understanding the matter (or is of age)."""
        if not (self.is_adult_at(at) or self.understands_at(purpose, at)):
            return None
        return next((p for p in self.prohibitions if p.in_force(purpose, at)), None)

    def refuses_guardian_at(self, guardian_id: str, at: datetime) -> Prohibition | None:
        """A standing prohibition naming the guardian as a refused recipient, if it takes effect (the minor
        is assessed as understanding, generally or for any purpose)."""
        if self.is_adult_at(at) or not any(a.understands for a in self._current_assessments(at)):
            return None
        return next((p for p in self.prohibitions if guardian_id in p.guardian_ids and p.standing(at)), None)

    def _current_assessments(self, at: datetime) -> list[Assessment]:
        latest: dict[Purpose | None, Assessment] = {}
        for assessment in self.assessments:
            if assessment.at <= at:
                known = latest.get(assessment.purpose)
                if known is None or assessment.at >= known.at:
                    latest[assessment.purpose] = assessment
        return list(latest.values())

    def next_change_after(self, at: datetime) -> datetime | None:
        """The first moment after `at` at which an answer may change by the passing of time alone (a consent
        starting or ending, a custody exception ending, the 18th birthday), or None. A stored answer is good
        only until then."""
        moments = [
            moment
            for consent in self.consents
            for moment in (consent.valid_from, consent.valid_until)
            if moment is not None
        ]
        moments += [e.valid_until for e in self.custody_exceptions if e.valid_until is not None]
        if self.comes_of_age_on is not None:
            moments.append(datetime.combine(self.comes_of_age_on, time(), FINNISH_TIME))
        later = [moment for moment in moments if moment > at]
        return min(later) if later else None

    def custody_exception_at(self, purpose: Purpose, at: datetime) -> CustodyException | None:
        """The latest exception in force for the purpose whose guardian is still a guardian."""
        guardians = self.guardians_at(at)
        found: CustodyException | None = None
        for exception in self.custody_exceptions:
            current = exception.in_force(purpose, at) and exception.guardian_id in guardians
            if current and (found is None or exception.at >= found.at):
                found = exception
        return found

    def consent(self, consent_id: str) -> ConsentRecord | None:
        return next((c for c in self.consents if c.consent_id == consent_id), None)


@dataclass(frozen=True)
class ConsentView:
    """The consent register of a set of subjects (e.g. one child and their guardians)."""

    subjects: Mapping[str, SubjectRecord] = field(default_factory=dict)
    # consent id -> subject id, so that withdrawals and expiries find their consent.
    consent_subjects: Mapping[str, str] = field(default_factory=dict)

    def subject(self, subject_id: str) -> SubjectRecord | None:
        return self.subjects.get(subject_id)

    def consent(self, consent_id: str) -> ConsentRecord | None:
        subject_id = self.consent_subjects.get(consent_id)
        record = self.subjects.get(subject_id) if subject_id is not None else None
        return record.consent(consent_id) if record is not None else None

    def consents_of(self, subject_id: str) -> tuple[ConsentRecord, ...]:
        record = self.subjects.get(subject_id)
        return record.consents if record is not None else ()

    def _with(self, record: SubjectRecord, consent_id: str | None = None) -> ConsentView:
        subjects = {**self.subjects, record.subject_id: record}
        index = self.consent_subjects
        if consent_id is not None:
            index = {**index, consent_id: record.subject_id}
        return ConsentView(subjects, index)

    def _record(self, subject_id: str) -> SubjectRecord:
        return self.subjects.get(subject_id) or SubjectRecord(subject_id)


def apply(view: ConsentView, fact: ConsentFact) -> ConsentView:
    """The view after one more fact."""
    match fact:
        case SubjectRegistered():
            record = view._record(fact.subject_id)
            return view._with(replace(record, kind=fact.kind, comes_of_age_on=fact.comes_of_age_on))
        case GuardiansChanged():
            record = view._record(fact.subject_id)
            history = (*record.guardian_history, (fact.at, fact.guardian_ids))
            return view._with(replace(record, guardian_history=history))
        case ConsentGiven():
            if fact.consent_id in view.consent_subjects:
                return view  # the same consent recorded twice: the first one stands
            record = view._record(fact.subject_id)
            consent = ConsentRecord(
                consent_id=fact.consent_id,
                subject_id=fact.subject_id,
                purpose=fact.purpose,
                given_by=fact.given_by,
                given_at=fact.at,
                valid_from=fact.valid_from or fact.at,
                valid_until=fact.valid_until,
            )
            statement = Statement(fact.given_by, fact.purpose, Answer.YES, fact.at, fact.consent_id)
            updated = replace(record, consents=(*record.consents, consent), statements=(*record.statements, statement))
            return view._with(updated, fact.consent_id)
        case ConsentRefused():
            record = view._record(fact.subject_id)
            statement = Statement(fact.refused_by, fact.purpose, Answer.NO, fact.at)
            return view._with(replace(record, statements=(*record.statements, statement)))
        case ConsentWithdrawn():
            return _end(view, fact.consent_id, fact.at, EndReason.WITHDRAWN, fact.withdrawn_by)
        case ConsentExpired():
            return _end(view, fact.consent_id, fact.at, EndReason.EXPIRED, None)
        case MinorProhibitionRecorded():
            record = view._record(fact.subject_id)
            prohibition = Prohibition(fact.purpose, fact.at, guardian_ids=fact.guardian_ids)
            return view._with(replace(record, prohibitions=(*record.prohibitions, prohibition)))
        case MinorProhibitionLifted():
            record = view._record(fact.subject_id)
            lifted = tuple(
                replace(p, lifted_at=fact.at)
                if p.purpose == fact.purpose and p.lifted_at is None and p.recorded_at <= fact.at
                else p
                for p in record.prohibitions
            )
            return view._with(replace(record, prohibitions=lifted))
        case MinorUnderstandingAssessed():
            record = view._record(fact.subject_id)
            assessment = Assessment(fact.purpose, fact.understands, fact.assessed_by, fact.at)
            return view._with(replace(record, assessments=(*record.assessments, assessment)))
        case CustodyExceptionRecorded():
            record = view._record(fact.subject_id)
            exception = CustodyException(
                fact.exception_id, fact.guardian_id, fact.kind, fact.purposes, fact.at, fact.valid_until
            )
            return view._with(replace(record, custody_exceptions=(*record.custody_exceptions, exception)))


def _end(view: ConsentView, consent_id: str, at: datetime, reason: EndReason, by: str | None) -> ConsentView:
    subject_id = view.consent_subjects.get(consent_id)
    if subject_id is None:
        return view
    record = view.subjects[subject_id]
    consent = record.consent(consent_id)
    if consent is None:
        return view
    statements = record.statements
    if reason is EndReason.WITHDRAWN and by is not None:
        statements = (*statements, Statement(by, consent.purpose, Answer.NO, at))
    if consent.ended_at is None or at < consent.ended_at:
        consent = replace(consent, ended_at=at, ended_by=by, end_reason=reason)
    consents = tuple(consent if c.consent_id == consent_id else c for c in record.consents)
    return view._with(replace(record, consents=consents, statements=statements))


def fold(facts: Iterable[ConsentFact], view: ConsentView | None = None) -> ConsentView:
    """The view after all the facts, in order (starting from an empty register unless given one)."""
    current = view if view is not None else ConsentView()
    for fact in facts:
        current = apply(current, fact)
    return current
