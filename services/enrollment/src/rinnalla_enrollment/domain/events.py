"""Events of the enrollment service: past tense, stable dotted names, schema versions.

Personal fields (names, identity code, contact details, date of birth, nomination reasons, and every
free-text field about a child: free text is personal by default) are
strings marked `Personal(subject_field=...)`: they are encrypted with the key of the person whose id
is in the named sibling field, and read back as `ERASED` after that person is erased. Dates inside
personal fields are ISO strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AwareDatetime
from rinnalla_consent import Purpose
from rinnalla_events import DomainEvent, Personal, SubjectKinds

from rinnalla_enrollment.domain.consent_records import ChildView, ConsentEvidence, CustodyException
from rinnalla_enrollment.domain.cost_sharing import Payer
from rinnalla_enrollment.domain.values import (
    CompletionOutcome,
    ExitReason,
    FundingSource,
    Guardian,
    IdentityCodeKind,
    MentorLeaveReason,
    MentorRole,
    NominatingRole,
    NominationReason,
    RosterLeaveReason,
    School,
    TeamGender,
    TerminationReason,
    TransferReason,
)

ChildPersonal = Personal(subject_field="child_id")
# Free text about a partnership or a team (not about one person) is still personal by default: it can name
# a person. It is encrypted with a key of its own record (subject kind `record`, ADR 0004), which is shredded
# when the record's free text is erased.
RecordPersonal = Personal(subject_field="record_id")
RECORD_KIND = SubjectKinds.RECORD


def partnership_record(partnership_id: str) -> str:
    """The key subject of a partnership's free text."""
    return f"{RECORD_KIND}-partnership-{partnership_id}"


def team_record(team_id: str) -> str:
    """The key subject of a team's free text."""
    return f"{RECORD_KIND}-team-{team_id}"


# --- Partnership -----------------------------------------------------------------------------------


class PartnershipOpened(DomainEvent):
    event_type: ClassVar[str] = "enrollment.PartnershipOpened"
    partnership_id: str
    municipality_code: str
    business_id: str
    county_code: str
    opened_on: date


class PartnershipAgreementSigned(DomainEvent):
    event_type: ClassVar[str] = "enrollment.PartnershipAgreementSigned"
    partnership_id: str
    signed_on: date
    team_count: int
    valid_from: date
    valid_until: date | None
    annual_amount_eur: Decimal | None


class PartnershipCostSharingAgreed(DomainEvent):
    """From `valid_from` on, each team of the partnership costs `price_per_team_cents` a year, split
    between the payers by `share_basis_points` (summing to 10000). Billing reads this event."""

    event_type: ClassVar[str] = "enrollment.PartnershipCostSharingAgreed"
    partnership_id: str
    agreed_on: date
    valid_from: date
    price_per_team_cents: int
    payers: tuple[Payer, ...]


class PartnershipNegotiationFailed(DomainEvent):
    """v2: the free-text reason is encrypted with the partnership's record key (`record_id`); v1 payloads
    (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "enrollment.PartnershipNegotiationFailed"
    schema_version: ClassVar[int] = 2
    partnership_id: str
    failed_on: date
    record_id: str
    reason: Annotated[str, RecordPersonal]


class PartnershipCountyCounterpartChanged(DomainEvent):
    event_type: ClassVar[str] = "enrollment.PartnershipCountyCounterpartChanged"
    partnership_id: str
    county_code: str
    changed_on: date


class TeamAddedToPartnership(DomainEvent):
    event_type: ClassVar[str] = "enrollment.TeamAddedToPartnership"
    partnership_id: str
    team_id: str


class PartnershipEnded(DomainEvent):
    """v2: the free-text reason is encrypted with the partnership's record key (`record_id`); v1 payloads
    (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "enrollment.PartnershipEnded"
    schema_version: ClassVar[int] = 2
    partnership_id: str
    ended_on: date
    record_id: str
    reason: Annotated[str, RecordPersonal]


# --- Team ------------------------------------------------------------------------------------------


class TeamFounded(DomainEvent):
    event_type: ClassVar[str] = "enrollment.TeamFounded"
    team_id: str
    name: str
    municipality_code: str
    county_code: str
    area: str
    main_school: School
    other_schools: tuple[School, ...]
    cohort_birth_years: tuple[int, ...]
    founded_on: date
    gender: TeamGender
    max_size: int
    partnership_id: str | None


class TeamActivated(DomainEvent):
    event_type: ClassVar[str] = "enrollment.TeamActivated"
    team_id: str
    activated_on: date


class SportChosen(DomainEvent):
    event_type: ClassVar[str] = "enrollment.SportChosen"
    team_id: str
    sport: str
    chosen_on: date


class TeamSchoolsChanged(DomainEvent):
    event_type: ClassVar[str] = "enrollment.TeamSchoolsChanged"
    team_id: str
    main_school: School
    other_schools: tuple[School, ...]


class TeamMaxSizeChanged(DomainEvent):
    event_type: ClassVar[str] = "enrollment.TeamMaxSizeChanged"
    team_id: str
    max_size: int


class FundingCommitted(DomainEvent):
    event_type: ClassVar[str] = "enrollment.FundingCommitted"
    team_id: str
    year: int
    source: FundingSource
    # municipality code, county code, foundation's name or the SIB contract id
    funder: str
    amount_eur: Decimal


MentorPersonal = Personal(subject_field="mentor_id")


class MentorAssigned(DomainEvent):
    """`contact_*`: the mentor's work contact for the team's families and schools (empty: not given)."""

    event_type: ClassVar[str] = "enrollment.MentorAssigned"
    team_id: str
    mentor_id: str
    role: MentorRole
    starts_on: date
    predecessor_id: str | None = None
    contact_name: Annotated[str, MentorPersonal] = ""
    contact_phone: Annotated[str, MentorPersonal] = ""
    contact_email: Annotated[str, MentorPersonal] = ""


class MentorLeft(DomainEvent):
    event_type: ClassVar[str] = "enrollment.MentorLeft"
    team_id: str
    mentor_id: str
    role: MentorRole
    left_on: date
    reason: MentorLeaveReason
    successor_id: str | None = None


class ChildJoinedTeam(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildJoinedTeam"
    team_id: str
    child_id: str
    joined_on: date
    late_join: bool  # joined after the team became active


class ChildLeftTeam(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildLeftTeam"
    team_id: str
    child_id: str
    left_on: date
    reason: RosterLeaveReason


class TeamCompleted(DomainEvent):
    event_type: ClassVar[str] = "enrollment.TeamCompleted"
    team_id: str
    completed_on: date


class TeamTerminated(DomainEvent):
    """v2: the free-text details are encrypted with the team's record key (`record_id`); the reason code
    stays plain. v1 payloads (plaintext details) read unchanged."""

    event_type: ClassVar[str] = "enrollment.TeamTerminated"
    schema_version: ClassVar[int] = 2
    team_id: str
    terminated_on: date
    reason: TerminationReason
    record_id: str
    details: Annotated[str, RecordPersonal]


# --- Child -----------------------------------------------------------------------------------------


class ChildNominated(DomainEvent):
    """v2 adds `preschool` (an institution, not personal data); v1 payloads read as an unknown preschool.

    v3 (data minimisation): a nomination names the child only by the preschool's reference and the birth
    year; the name, date of birth and reasons come with `GuardiansInformed`. The personal fields below are
    filled only in v1/v2 events (empty in v3); v2 payloads read with their cohort taken from the date of
    birth and no preschool reference."""

    event_type: ClassVar[str] = "enrollment.ChildNominated"
    schema_version: ClassVar[int] = 3
    child_id: str
    municipality_code: str
    team_id: str | None
    preschool: School
    preschool_reference: Annotated[str, ChildPersonal] = ""
    cohort_year: int | None = None  # None only for a v2 event whose date of birth was erased
    nominated_on: date
    nominated_by: tuple[NominatingRole, ...]
    # NominationReason values joined with ",": grounds for concern are sensitive data.
    reasons: Annotated[str, ChildPersonal] = ""
    given_names: Annotated[str, ChildPersonal] = ""
    family_name: Annotated[str, ChildPersonal] = ""
    date_of_birth: Annotated[str, ChildPersonal] = ""
    at: AwareDatetime

    @property
    def reason_codes(self) -> tuple[NominationReason, ...]:
        """The reasons as codes (none once the child was erased, none in v3)."""
        return _reason_codes(self.reasons)


def _reason_codes(reasons: str) -> tuple[NominationReason, ...]:
    codes = {reason.value: reason for reason in NominationReason}
    return tuple(codes[part] for part in reasons.split(",") if part in codes)


class GuardiansInformed(DomainEvent):
    """The child's details and the grounds of the nomination are recorded once the guardians know of it (the
    personal fields are empty in events recorded before nominations were minimised)."""

    event_type: ClassVar[str] = "enrollment.GuardiansInformed"
    child_id: str
    guardians: tuple[Guardian, ...]
    informed_on: date
    at: AwareDatetime
    given_names: Annotated[str, ChildPersonal] = ""
    family_name: Annotated[str, ChildPersonal] = ""
    date_of_birth: Annotated[str, ChildPersonal] = ""
    # NominationReason values joined with ",".
    reasons: Annotated[str, ChildPersonal] = ""

    @property
    def reason_codes(self) -> tuple[NominationReason, ...]:
        return _reason_codes(self.reasons)


class GuardiansChanged(DomainEvent):
    event_type: ClassVar[str] = "enrollment.GuardiansChanged"
    child_id: str
    guardians: tuple[Guardian, ...]
    at: AwareDatetime


class ChildSelected(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildSelected"
    child_id: str
    team_id: str
    decided_on: date


class ChildWaitlisted(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildWaitlisted"
    child_id: str
    team_id: str
    decided_on: date


class ChildNotSelected(DomainEvent):
    """v2: the reason is free text, and free text is personal by default (it can name the child or a
    guardian): it is encrypted with the child's key and erased with the child. v1 payloads (plaintext
    reason) read unchanged."""

    event_type: ClassVar[str] = "enrollment.ChildNotSelected"
    schema_version: ClassVar[int] = 2
    child_id: str
    decided_on: date
    reason: Annotated[str, ChildPersonal]


class ChildEnrolled(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildEnrolled"
    child_id: str
    team_id: str
    enrolled_on: date
    given_names: Annotated[str, ChildPersonal]
    family_name: Annotated[str, ChildPersonal]
    hetu: Annotated[str, ChildPersonal]
    date_of_birth: Annotated[str, ChildPersonal]
    guardians: tuple[Guardian, ...]
    school: School
    class_name: str
    # The participation consent the enrolment rests on.
    consent_id: str
    at: AwareDatetime
    # Events from before temporary codes were accepted were all enrolled with a permanent code.
    identity_code: IdentityCodeKind = IdentityCodeKind.PERMANENT


class ChildPermanentIdentityCodeRecorded(DomainEvent):
    """A child enrolled with a temporary code or none got their permanent code (the date of birth is the code's)."""

    event_type: ClassVar[str] = "enrollment.ChildPermanentIdentityCodeRecorded"
    child_id: str
    hetu: Annotated[str, ChildPersonal]
    date_of_birth: Annotated[str, ChildPersonal]
    at: AwareDatetime


class ChildSchoolChanged(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildSchoolChanged"
    child_id: str
    school: School
    class_name: str
    changed_on: date


class ChildTransferred(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildTransferred"
    child_id: str
    from_team_id: str
    to_team_id: str
    transferred_on: date
    reason: TransferReason


class ChildExited(DomainEvent):
    """v2: more exit reasons (out-of-home placement, death, participation consent withdrawn); v1 payloads
    read unchanged."""

    event_type: ClassVar[str] = "enrollment.ChildExited"
    schema_version: ClassVar[int] = 2
    child_id: str
    team_id: str
    exited_on: date
    reason: ExitReason


class SharingConsentsEnded(DomainEvent):
    """The child left the programme: the consents to share the child's data end (nothing is shared any more)."""

    event_type: ClassVar[str] = "enrollment.SharingConsentsEnded"
    child_id: str
    consent_ids: tuple[str, ...]
    at: AwareDatetime


class ChildCompletedProgramme(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ChildCompletedProgramme"
    child_id: str
    team_id: str
    completed_on: date
    outcome: CompletionOutcome


class ChildFollowUpStarted(DomainEvent):
    """The record stays under the research follow-up until `follow_up_until` (the child's 20th birthday)."""

    event_type: ClassVar[str] = "enrollment.ChildFollowUpStarted"
    child_id: str
    started_on: date
    follow_up_until: date


# --- Consent register ------------------------------------------------------------------------------


class ConsentGiven(DomainEvent):
    """v2 adds who recorded the consent and its evidence (GDPR art. 7(1)); v1 payloads read with neither
    (`recorded_by` empty, `evidence` None: recorded before evidence was kept)."""

    event_type: ClassVar[str] = "enrollment.ConsentGiven"
    schema_version: ClassVar[int] = 2
    child_id: str
    consent_id: str
    subject_id: str
    purpose: Purpose
    given_by: str
    at: AwareDatetime
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    recorded_by: str = ""
    evidence: ConsentEvidence | None = None


class ConsentRefused(DomainEvent):
    """v2 adds `recorded_by` and `evidence` (see ConsentGiven)."""

    event_type: ClassVar[str] = "enrollment.ConsentRefused"
    schema_version: ClassVar[int] = 2
    child_id: str
    subject_id: str
    purpose: Purpose
    refused_by: str
    at: AwareDatetime
    recorded_by: str = ""
    evidence: ConsentEvidence | None = None


class ConsentWithdrawn(DomainEvent):
    """v2 adds `recorded_by` and `evidence` (see ConsentGiven)."""

    event_type: ClassVar[str] = "enrollment.ConsentWithdrawn"
    schema_version: ClassVar[int] = 2
    child_id: str
    consent_id: str
    withdrawn_by: str
    at: AwareDatetime
    recorded_by: str = ""
    evidence: ConsentEvidence | None = None


class ConsentExpired(DomainEvent):
    event_type: ClassVar[str] = "enrollment.ConsentExpired"
    child_id: str
    consent_id: str
    at: AwareDatetime


class MinorProhibitionRecorded(DomainEvent):
    """v2 adds the guardians the child refuses as recipients (`guardian_ids`) and the evidence; v1 payloads
    read with none."""

    event_type: ClassVar[str] = "enrollment.MinorProhibitionRecorded"
    schema_version: ClassVar[int] = 2
    child_id: str
    purpose: Purpose | None
    recorded_by: str
    at: AwareDatetime
    guardian_ids: tuple[str, ...] = ()
    evidence: ConsentEvidence | None = None


class MinorProhibitionLifted(DomainEvent):
    """v2 adds the evidence; v1 payloads read without it."""

    event_type: ClassVar[str] = "enrollment.MinorProhibitionLifted"
    schema_version: ClassVar[int] = 2
    child_id: str
    purpose: Purpose | None
    recorded_by: str
    at: AwareDatetime
    evidence: ConsentEvidence | None = None


class MinorUnderstandingAssessed(DomainEvent):
    event_type: ClassVar[str] = "enrollment.MinorUnderstandingAssessed"
    child_id: str
    purpose: Purpose | None
    understands: bool
    assessed_by: str
    at: AwareDatetime


class CustodyExceptionRecorded(DomainEvent):
    """From `at` (until `valid_until`) `guardian_id` decides alone for `purposes` (empty: every purpose).
    The basis (e.g. a court decision and its date) may name people: it is the child's personal data."""

    event_type: ClassVar[str] = "enrollment.CustodyExceptionRecorded"
    child_id: str
    exception_id: str
    guardian_id: str
    kind: CustodyException
    purposes: tuple[Purpose, ...]
    basis: Annotated[str, ChildPersonal]
    valid_until: AwareDatetime | None
    recorded_by: str
    at: AwareDatetime


class ChildHearingRecorded(DomainEvent):
    """The child was heard on a matter before the guardians decided (Child Custody Act 361/1983 4 §)."""

    event_type: ClassVar[str] = "enrollment.ChildHearingRecorded"
    child_id: str
    purpose: Purpose
    heard_on: date
    child_view: ChildView
    heard_by: str
    at: AwareDatetime


PARTNERSHIP_EVENTS: tuple[type[DomainEvent], ...] = (
    PartnershipOpened,
    PartnershipAgreementSigned,
    PartnershipCostSharingAgreed,
    PartnershipNegotiationFailed,
    PartnershipCountyCounterpartChanged,
    TeamAddedToPartnership,
    PartnershipEnded,
)
TEAM_EVENTS: tuple[type[DomainEvent], ...] = (
    TeamFounded,
    TeamActivated,
    SportChosen,
    TeamSchoolsChanged,
    TeamMaxSizeChanged,
    FundingCommitted,
    MentorAssigned,
    MentorLeft,
    ChildJoinedTeam,
    ChildLeftTeam,
    TeamCompleted,
    TeamTerminated,
)
CONSENT_EVENTS: tuple[type[DomainEvent], ...] = (
    ConsentGiven,
    ConsentRefused,
    ConsentWithdrawn,
    ConsentExpired,
    MinorProhibitionRecorded,
    MinorProhibitionLifted,
    MinorUnderstandingAssessed,
    CustodyExceptionRecorded,
    ChildHearingRecorded,
)
CHILD_EVENTS: tuple[type[DomainEvent], ...] = (
    ChildNominated,
    GuardiansInformed,
    GuardiansChanged,
    ChildSelected,
    ChildWaitlisted,
    ChildNotSelected,
    ChildEnrolled,
    ChildPermanentIdentityCodeRecorded,
    ChildSchoolChanged,
    ChildTransferred,
    ChildExited,
    SharingConsentsEnded,
    ChildCompletedProgramme,
    ChildFollowUpStarted,
    *CONSENT_EVENTS,
)
CONSENT_STATEMENTS_V2: tuple[type[DomainEvent], ...] = (
    ConsentGiven,
    ConsentRefused,
    ConsentWithdrawn,
    MinorProhibitionRecorded,
    MinorProhibitionLifted,
)
"""The statements whose v2 added who recorded them and the evidence (v1 payloads read unchanged)."""
ALL_EVENTS: tuple[type[DomainEvent], ...] = (*PARTNERSHIP_EVENTS, *TEAM_EVENTS, *CHILD_EVENTS)
"""Every event class of the service, for the event registry."""
