"""Commands: what a user asks the enrollment domain to do. Tiny immutable types, imperative names.

`at` is the moment the command is made (from the server clock, timezone-aware); consent rules are
evaluated at that moment. Business dates (`*_on`) are calendar dates.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from rinnalla_consent import Purpose

from rinnalla_enrollment.domain.consent_records import ChildView, ConsentEvidence, CustodyException
from rinnalla_enrollment.domain.cost_sharing import DEFAULT_PRICE_PER_TEAM_CENTS, PayerEntry
from rinnalla_enrollment.domain.values import (
    MAX_GUARDIANS,
    MAX_SCHOOLS,
    Code,
    CompletionOutcome,
    Day,
    Euros,
    ExitReason,
    FundingSource,
    GuardianEntry,
    Id,
    Label,
    MentorLeaveReason,
    MentorRole,
    Moment,
    Name,
    NominatingRole,
    NominationReason,
    RosterLeaveReason,
    SchoolEntry,
    TeamGender,
    TerminationReason,
    Text,
    TransferReason,
    Year,
)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Bounds of the lists and numbers commands carry (the strings' are in `values`): far beyond any real case,
# far below what could make an event too large for the bus.
MAX_TEAMS = 100  # teams in one partnership; the largest cities run a few dozen
MAX_PRICE_CENTS = 100_000_000  # a million euros per team per year
MAX_PAYERS = 10
MAX_COHORTS = 3  # a team is formed from one birth cohort, or two or three neighbouring ones

Guardians = Annotated[tuple[GuardianEntry, ...], Field(max_length=MAX_GUARDIANS)]
Schools = Annotated[tuple[SchoolEntry, ...], Field(max_length=MAX_SCHOOLS)]
TeamSize = Annotated[int, Field(ge=0, le=100)]  # the team's rules allow 1 to LARGEST_MAX_SIZE, with reasons


# --- Partnership -----------------------------------------------------------------------------------


class OpenPartnership(Command):
    """A municipality is interested: negotiations start. The county counterpart follows from the code."""

    partnership_id: Id
    municipality_code: Code
    business_id: Code = ""  # the municipality's Y-tunnus, optional
    opened_on: Day


class SignPartnershipAgreement(Command):
    """The partnership agreement (kumppanuussopimus): the municipality commits to at least two teams."""

    partnership_id: Id
    signed_on: Day
    team_count: Annotated[int, Field(ge=0, le=MAX_TEAMS)]
    valid_from: Day
    valid_until: Day | None = None
    annual_amount_eur: Euros | None = None


class AgreeCostSharing(Command):
    """The price of one team for one year and how the payers split it (shares sum to 100 %), from
    `valid_from` on; a later agreement replaces it from its own `valid_from`."""

    partnership_id: Id
    agreed_on: Day
    valid_from: Day
    price_per_team_cents: Annotated[int, Field(ge=0, le=MAX_PRICE_CENTS)] = DEFAULT_PRICE_PER_TEAM_CENTS
    payers: Annotated[tuple[PayerEntry, ...], Field(max_length=MAX_PAYERS)]


class RecordNegotiationFailure(Command):
    partnership_id: Id
    failed_on: Day
    reason: Text


class ChangeCountyCounterpart(Command):
    """The county counterpart changes (a reorganisation): the county is taken from the code given."""

    partnership_id: Id
    county_code: Code
    changed_on: Day


class AddTeamToPartnership(Command):
    partnership_id: Id
    team_id: Id
    municipality_code: Code


class EndPartnership(Command):
    partnership_id: Id
    ended_on: Day
    reason: Text


# --- Team ------------------------------------------------------------------------------------------


class FoundTeam(Command):
    team_id: Id
    name: Name
    municipality_code: Code
    area: Label  # the residential area or district the team is formed from
    main_school: SchoolEntry
    other_schools: Schools = ()
    cohort_birth_years: Annotated[tuple[Year, ...], Field(max_length=MAX_COHORTS)]
    founded_on: Day
    gender: TeamGender = TeamGender.MIXED
    max_size: TeamSize = 25
    partnership_id: Id | None = None


class ActivateTeam(Command):
    """School starts: the team moves from forming to active."""

    team_id: Id
    activated_on: Day


class ChooseSport(Command):
    team_id: Id
    sport: Label
    chosen_on: Day


class ChangeTeamSchools(Command):
    team_id: Id
    main_school: SchoolEntry
    other_schools: Schools = ()


class ChangeMaxSize(Command):
    team_id: Id
    max_size: TeamSize


class CommitFunding(Command):
    """A funder commits money for one year; a new commitment by the same funder for the year replaces the old."""

    team_id: Id
    year: Year
    source: FundingSource
    amount_eur: Euros
    funder_name: Name = ""  # required for foundations and other funders
    sib_contract_id: Label = ""  # required for SIB contracts


class AssignMentor(Command):
    team_id: Id
    mentor_id: Id
    role: MentorRole = MentorRole.LEAD
    starts_on: Day


class ReleaseMentor(Command):
    """A mentor leaves the team; if it was the lead mentor, the team's lead post is vacant from then on."""

    team_id: Id
    mentor_id: Id
    left_on: Day
    reason: MentorLeaveReason = MentorLeaveReason.RESIGNED


class HandOverMentor(Command):
    """One mentor hands the role over to another on the same day: no vacancy, history kept."""

    team_id: Id
    outgoing_mentor_id: Id
    incoming_mentor_id: Id
    handed_over_on: Day


class JoinTeam(Command):
    """Put a child on the roster (issued by the enrolment and transfer workflows)."""

    team_id: Id
    child_id: Id
    joined_on: Day
    date_of_birth: Day  # for the late-join age rule; not stored in the team's events


class LeaveTeam(Command):
    team_id: Id
    child_id: Id
    left_on: Day
    reason: RosterLeaveReason


class CompleteTeam(Command):
    team_id: Id
    completed_on: Day


class TerminateTeam(Command):
    team_id: Id
    terminated_on: Day
    reason: TerminationReason
    details: Text = ""


# --- Child -----------------------------------------------------------------------------------------


class Nominee(Command):
    """Who is nominated (personal data)."""

    given_names: Name
    family_name: Name
    date_of_birth: Day


class NominateChild(Command):
    """The multi-professional group nominates a child (at least two different professions).

    Before the guardians are informed the register holds no name, date of birth or grounds for concern:
    only the preschool's own reference for the child (meaningful to the preschool alone) and the birth
    year, which decides the cohort. The details come with `InformGuardians`."""

    child_id: Id
    municipality_code: Code
    team_id: Id | None = None  # the team the child is considered for, if already known
    preschool: SchoolEntry  # the preschool (esikoulu) whose multi-professional group identified the child
    preschool_reference: Label
    cohort_year: Year  # the child's year of birth
    nominated_on: Day
    nominated_by: Annotated[tuple[NominatingRole, ...], Field(max_length=len(NominatingRole))]
    at: AwareDatetime


class InformGuardians(Command):
    """The guardians are told about the nomination and the offer (all of the child's guardians); from then on
    the register holds who the child is and the grounds of the nomination."""

    child_id: Id
    guardians: Guardians
    informed_on: Day
    child: Nominee
    reasons: Annotated[tuple[NominationReason, ...], Field(max_length=len(NominationReason))]
    at: AwareDatetime


class ChangeGuardians(Command):
    """The child's guardians change (custody decision, corrected contact details): the full new list."""

    child_id: Id
    guardians: Guardians
    at: AwareDatetime


class SelectChild(Command):
    child_id: Id
    team_id: Id
    decided_on: Day


class WaitlistChild(Command):
    child_id: Id
    team_id: Id
    decided_on: Day


class RecordChildNotSelected(Command):
    """The selection group does not select the child."""

    child_id: Id
    decided_on: Day
    reason: Text = ""


class ChildDetails(Command):
    """The child's identity as recorded at enrolment (personal data)."""

    given_names: Name
    family_name: Name
    # henkilötunnus, personal identity code; a temporary code (900-999) or none ("") for a child who has no
    # permanent code yet (record it with `RecordPermanentIdentityCode` when it is issued).
    hetu: Code = ""
    date_of_birth: Day


class EnrolChild(Command):
    child_id: Id
    team_id: Id
    enrolled_on: Day
    child: ChildDetails
    guardians: Guardians
    school: SchoolEntry
    class_name: Label
    at: AwareDatetime


class TransferChild(Command):
    child_id: Id
    to_team_id: Id
    transferred_on: Day
    reason: TransferReason = TransferReason.OTHER


class RecordPermanentIdentityCode(Command):
    """A child enrolled with a temporary code or none gets their permanent identity code: same child record."""

    child_id: Id
    hetu: Code
    at: AwareDatetime


class ChangeSchool(Command):
    """The child changes school or class (e.g. moving to lower secondary, or a new class each year)."""

    child_id: Id
    school: SchoolEntry
    class_name: Label
    changed_on: Day


class ExitChild(Command):
    """The child leaves the programme early; the consents to share the child's data end with it."""

    child_id: Id
    exited_on: Day
    reason: ExitReason
    at: AwareDatetime


class CompleteChildProgramme(Command):
    child_id: Id
    completed_on: Day
    outcome: CompletionOutcome


class StartFollowUp(Command):
    """After completion the record stays under the research follow-up (the evaluation) until the child is 20."""

    child_id: Id
    started_on: Day


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
    valid_from: Moment | None = None
    valid_until: Moment | None = None


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
    guardian_ids: Annotated[tuple[Id, ...], Field(max_length=MAX_GUARDIANS)] = ()
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
    purposes: Annotated[tuple[Purpose, ...], Field(max_length=len(Purpose))] = ()
    basis: Annotated[str, StringConstraints(max_length=500)]
    valid_until: Moment | None = None
    recorded_by: Id
    at: AwareDatetime


class RecordChildHearing(Command):
    """The child was heard on a matter (participation by default) and said `child_view`."""

    child_id: Id
    purpose: Purpose = Purpose.PARTICIPATION
    heard_on: Day
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
