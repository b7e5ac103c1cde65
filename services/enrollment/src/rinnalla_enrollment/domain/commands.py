"""Commands: what a user asks the enrollment domain to do. Tiny immutable types, imperative names.

`at` is the moment the command is made (from the server clock, timezone-aware); consent rules are
evaluated at that moment. Business dates (`*_on`) are calendar dates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from rinnalla_consent import Purpose

from rinnalla_enrollment.domain.consent_records import ChildView, ConsentEvidence, CustodyException
from rinnalla_enrollment.domain.cost_sharing import DEFAULT_PRICE_PER_TEAM_CENTS, Payer
from rinnalla_enrollment.domain.values import (
    CompletionOutcome,
    ExitReason,
    FundingSource,
    Guardian,
    Id,
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


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- Partnership -----------------------------------------------------------------------------------


class OpenPartnership(Command):
    """A municipality is interested: negotiations start. The county counterpart follows from the code."""

    partnership_id: Id
    municipality_code: str
    business_id: str = ""  # the municipality's Y-tunnus, optional
    opened_on: date


class SignPartnershipAgreement(Command):
    """The partnership agreement (kumppanuussopimus): the municipality commits to at least two teams."""

    partnership_id: Id
    signed_on: date
    team_count: int
    valid_from: date
    valid_until: date | None = None
    annual_amount_eur: Decimal | None = None


class AgreeCostSharing(Command):
    """The price of one team for one year and how the payers split it (shares sum to 100 %), from
    `valid_from` on; a later agreement replaces it from its own `valid_from`."""

    partnership_id: Id
    agreed_on: date
    valid_from: date
    price_per_team_cents: int = DEFAULT_PRICE_PER_TEAM_CENTS
    payers: tuple[Payer, ...]


class RecordNegotiationFailure(Command):
    partnership_id: Id
    failed_on: date
    reason: str


class ChangeCountyCounterpart(Command):
    """The county counterpart changes (a reorganisation): the county is taken from the code given."""

    partnership_id: Id
    county_code: str
    changed_on: date


class AddTeamToPartnership(Command):
    partnership_id: Id
    team_id: Id
    municipality_code: str


class EndPartnership(Command):
    partnership_id: Id
    ended_on: date
    reason: str


# --- Team ------------------------------------------------------------------------------------------


class FoundTeam(Command):
    team_id: Id
    name: str
    municipality_code: str
    area: str  # the residential area or district the team is formed from
    main_school: School
    other_schools: tuple[School, ...] = ()
    cohort_birth_years: tuple[int, ...]
    founded_on: date
    gender: TeamGender = TeamGender.MIXED
    max_size: int = 25
    partnership_id: Id | None = None


class ActivateTeam(Command):
    """School starts: the team moves from forming to active."""

    team_id: Id
    activated_on: date


class ChooseSport(Command):
    team_id: Id
    sport: str
    chosen_on: date


class ChangeTeamSchools(Command):
    team_id: Id
    main_school: School
    other_schools: tuple[School, ...] = ()


class ChangeMaxSize(Command):
    team_id: Id
    max_size: int


class CommitFunding(Command):
    """A funder commits money for one year; a new commitment by the same funder for the year replaces the old."""

    team_id: Id
    year: int
    source: FundingSource
    amount_eur: Decimal
    funder_name: str = ""  # required for foundations and other funders
    sib_contract_id: str = ""  # required for SIB contracts


class AssignMentor(Command):
    team_id: Id
    mentor_id: Id
    role: MentorRole = MentorRole.LEAD
    starts_on: date


class ReleaseMentor(Command):
    """A mentor leaves the team; if it was the lead mentor, the team's lead post is vacant from then on."""

    team_id: Id
    mentor_id: Id
    left_on: date
    reason: MentorLeaveReason = MentorLeaveReason.RESIGNED


class HandOverMentor(Command):
    """One mentor hands the role over to another on the same day: no vacancy, history kept."""

    team_id: Id
    outgoing_mentor_id: Id
    incoming_mentor_id: Id
    handed_over_on: date


class JoinTeam(Command):
    """Put a child on the roster (issued by the enrolment and transfer workflows)."""

    team_id: Id
    child_id: Id
    joined_on: date
    date_of_birth: date  # for the late-join age rule; not stored in the team's events


class LeaveTeam(Command):
    team_id: Id
    child_id: Id
    left_on: date
    reason: RosterLeaveReason


class CompleteTeam(Command):
    team_id: Id
    completed_on: date


class TerminateTeam(Command):
    team_id: Id
    terminated_on: date
    reason: TerminationReason
    details: str = ""


# --- Child -----------------------------------------------------------------------------------------


class Nominee(Command):
    """Who is nominated (personal data)."""

    given_names: str
    family_name: str
    date_of_birth: date


class NominateChild(Command):
    """The multi-professional group nominates a child (at least two different professions).

    Before the guardians are informed the register holds no name, date of birth or grounds for concern:
    only the preschool's own reference for the child (meaningful to the preschool alone) and the birth
    year, which decides the cohort. The details come with `InformGuardians`."""

    child_id: Id
    municipality_code: str
    team_id: Id | None = None  # the team the child is considered for, if already known
    preschool: School  # the preschool (esikoulu) whose multi-professional group identified the child
    preschool_reference: Annotated[str, StringConstraints(max_length=100)]
    cohort_year: int  # the child's year of birth
    nominated_on: date
    nominated_by: tuple[NominatingRole, ...]
    at: AwareDatetime


class InformGuardians(Command):
    """The guardians are told about the nomination and the offer (all of the child's guardians); from then on
    the register holds who the child is and the grounds of the nomination."""

    child_id: Id
    guardians: tuple[Guardian, ...]
    informed_on: date
    child: Nominee
    reasons: tuple[NominationReason, ...]
    at: AwareDatetime


class ChangeGuardians(Command):
    """The child's guardians change (custody decision, corrected contact details): the full new list."""

    child_id: Id
    guardians: tuple[Guardian, ...]
    at: AwareDatetime


class SelectChild(Command):
    child_id: Id
    team_id: Id
    decided_on: date


class WaitlistChild(Command):
    child_id: Id
    team_id: Id
    decided_on: date


class RecordChildNotSelected(Command):
    """The selection group does not select the child."""

    child_id: Id
    decided_on: date
    reason: str = ""


class ChildDetails(Command):
    """The child's identity as recorded at enrolment (personal data)."""

    given_names: str
    family_name: str
    # henkilötunnus, personal identity code; a temporary code (900-999) or none ("") for a child who has no
    # permanent code yet (record it with `RecordPermanentIdentityCode` when it is issued).
    hetu: str = ""
    date_of_birth: date


class EnrolChild(Command):
    child_id: Id
    team_id: Id
    enrolled_on: date
    child: ChildDetails
    guardians: tuple[Guardian, ...]
    school: School
    class_name: str
    at: AwareDatetime


class TransferChild(Command):
    child_id: Id
    to_team_id: Id
    transferred_on: date
    reason: TransferReason = TransferReason.OTHER


class RecordPermanentIdentityCode(Command):
    """A child enrolled with a temporary code or none gets their permanent identity code: same child record."""

    child_id: Id
    hetu: str
    at: AwareDatetime


class ChangeSchool(Command):
    """The child changes school or class (e.g. moving to lower secondary, or a new class each year)."""

    child_id: Id
    school: School
    class_name: str
    changed_on: date


class ExitChild(Command):
    """The child leaves the programme early; the consents to share the child's data end with it."""

    child_id: Id
    exited_on: date
    reason: ExitReason
    at: AwareDatetime


class CompleteChildProgramme(Command):
    child_id: Id
    completed_on: date
    outcome: CompletionOutcome


class StartFollowUp(Command):
    """After completion the record stays under the research follow-up (the evaluation) until the child is 20."""

    child_id: Id
    started_on: date


# --- Consent register (kept in the child's stream) --------------------------------------------------


class GiveConsent(Command):
    """`given_by` (a guardian, or the child once assessed to understand) consents for `subject_id`'s data.
    `recorded_by` is who entered it: the giver themself (electronic), or staff from a signed document."""

    child_id: Id
    consent_id: Id
    subject_id: Id  # the child, or one of the guardians for their own data
    purpose: Purpose
    given_by: Id
    recorded_by: Id
    evidence: ConsentEvidence
    at: AwareDatetime
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None


class RefuseConsent(Command):
    child_id: Id
    subject_id: Id
    purpose: Purpose
    refused_by: Id
    recorded_by: Id
    evidence: ConsentEvidence
    at: AwareDatetime


class WithdrawConsent(Command):
    child_id: Id
    consent_id: Id
    withdrawn_by: Id
    recorded_by: Id
    evidence: ConsentEvidence
    at: AwareDatetime


class ExpireConsent(Command):
    child_id: Id
    consent_id: Id
    at: AwareDatetime


class RecordMinorProhibition(Command):
    """The child prohibits disclosure of their data (Act 812/2000 11 §): for one purpose, or for all when
    `purpose` is None; `guardian_ids` names guardians the child refuses as recipients of their data."""

    child_id: Id
    purpose: Purpose | None = None
    guardian_ids: tuple[Id, ...] = ()
    recorded_by: Id
    evidence: ConsentEvidence
    at: AwareDatetime


class LiftMinorProhibition(Command):
    child_id: Id
    purpose: Purpose | None = None
    recorded_by: Id
    evidence: ConsentEvidence
    at: AwareDatetime


class AssessMinorUnderstanding(Command):
    """A professional assesses whether the child understands the matter (one purpose, or all)."""

    child_id: Id
    purpose: Purpose | None = None
    understands: bool
    assessed_by: Id
    at: AwareDatetime


class RecordCustodyException(Command):
    """One guardian decides alone (for `purposes`, or every purpose when empty), on a recorded `basis`."""

    child_id: Id
    exception_id: Id
    guardian_id: Id
    kind: CustodyException
    purposes: tuple[Purpose, ...] = ()
    basis: Annotated[str, StringConstraints(max_length=500)]
    valid_until: AwareDatetime | None = None
    recorded_by: Id
    at: AwareDatetime


class RecordChildHearing(Command):
    """The child was heard on a matter (participation by default) and said `child_view`."""

    child_id: Id
    purpose: Purpose = Purpose.PARTICIPATION
    heard_on: date
    child_view: ChildView
    heard_by: Id
    at: AwareDatetime


PartnershipCommand = (
    OpenPartnership
    | SignPartnershipAgreement
    | AgreeCostSharing
    | RecordNegotiationFailure
    | ChangeCountyCounterpart
    | AddTeamToPartnership
    | EndPartnership
)
TeamCommand = (
    FoundTeam
    | ActivateTeam
    | ChooseSport
    | ChangeTeamSchools
    | ChangeMaxSize
    | CommitFunding
    | AssignMentor
    | ReleaseMentor
    | HandOverMentor
    | JoinTeam
    | LeaveTeam
    | CompleteTeam
    | TerminateTeam
)
ConsentCommand = (
    GiveConsent
    | RefuseConsent
    | WithdrawConsent
    | ExpireConsent
    | RecordMinorProhibition
    | LiftMinorProhibition
    | AssessMinorUnderstanding
    | RecordCustodyException
    | RecordChildHearing
)
ChildCommand = (
    NominateChild
    | InformGuardians
    | ChangeGuardians
    | SelectChild
    | WaitlistChild
    | RecordChildNotSelected
    | EnrolChild
    | RecordPermanentIdentityCode
    | ChangeSchool
    | TransferChild
    | ExitChild
    | CompleteChildProgramme
    | StartFollowUp
    | ConsentCommand
)
