"""Consent facts: what happened in the consent register, as the fold consumes them.

Plain frozen models with no event-store dependency; an adapter in the owning service turns its
events into these. Every fact carries `at`, the moment it took effect (timezone-aware).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from rinnalla_consent.purposes import Purpose

Id = Annotated[str, StringConstraints(min_length=1)]


class SubjectKind(StrEnum):
    """Whose data: a child (guardians decide until the child understands or comes of age) or an adult."""

    CHILD = "child"
    ADULT = "adult"


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SubjectRegistered(_Fact):
    """A data subject is known (again: later registrations update kind and coming of age)."""

    subject_id: Id
    kind: SubjectKind
    at: AwareDatetime
    # The 18th birthday: from this day on only the person themself decides.
    comes_of_age_on: date | None = None


class GuardiansChanged(_Fact):
    """From `at` on, these people are the child's guardians (huoltajat)."""

    subject_id: Id
    guardian_ids: frozenset[str]
    at: AwareDatetime


class ConsentGiven(_Fact):
    """`given_by` (a guardian, or the subject themself) consents to `purpose` for the subject's data."""

    consent_id: Id
    subject_id: Id
    purpose: Purpose
    given_by: Id
    at: AwareDatetime
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None


class ConsentRefused(_Fact):
    """`refused_by` says no to `purpose` (a guardian declining, or the child refusing)."""

    subject_id: Id
    purpose: Purpose
    refused_by: Id
    at: AwareDatetime


class ConsentWithdrawn(_Fact):
    """The consent ends at `at`; the withdrawal is also `withdrawn_by`'s "no" from then on."""

    consent_id: Id
    withdrawn_by: Id
    at: AwareDatetime


class ConsentExpired(_Fact):
    """The consent ends at `at` without anyone objecting (e.g. the programme ended)."""

    consent_id: Id
    at: AwareDatetime


class MinorProhibitionRecorded(_Fact):
    """The minor prohibits disclosing their data, for one purpose or (purpose None) for all; `guardian_ids`
    names guardians the minor refuses as recipients of their data (Act 812/2000 11 §). It takes effect only
    while an assessment that the minor understands the matter is on record."""

    subject_id: Id
    purpose: Purpose | None = None
    at: AwareDatetime
    guardian_ids: frozenset[str] = frozenset()


class MinorProhibitionLifted(_Fact):
    subject_id: Id
    purpose: Purpose | None = None
    at: AwareDatetime


class CustodyExceptionKind(StrEnum):
    """Why one guardian decides alone although the child has two (Child Custody Act 361/1983 5 §)."""

    # Only this guardian has custody (e.g. by a court decision or an agreement confirmed by the social board).
    SOLE_CUSTODY = "sole_custody"
    # A court has divided the guardians' tasks: this guardian decides the matters named (purposes).
    COURT_ORDERED_DIVISION = "court_ordered_division"
    # The other guardian cannot take part (absence, illness) and waiting would harm the child.
    OTHER_GUARDIAN_UNABLE = "other_guardian_unable"


class CustodyExceptionRecorded(_Fact):
    """From `at` (until `valid_until`), `guardian_id` decides alone for `purposes` (empty: every purpose)."""

    subject_id: Id
    exception_id: Id
    guardian_id: Id
    kind: CustodyExceptionKind
    purposes: frozenset[Purpose] = frozenset()
    at: AwareDatetime
    valid_until: AwareDatetime | None = None


class MinorUnderstandingAssessed(_Fact):
    """A professional's assessment whether the minor understands the matter (one purpose, or all)."""

    subject_id: Id
    purpose: Purpose | None = None
    understands: bool
    assessed_by: Id
    at: AwareDatetime


ConsentFact = (
    SubjectRegistered
    | GuardiansChanged
    | ConsentGiven
    | ConsentRefused
    | ConsentWithdrawn
    | ConsentExpired
    | MinorProhibitionRecorded
    | MinorProhibitionLifted
    | MinorUnderstandingAssessed
    | CustodyExceptionRecorded
)
