"""Family partnership (Perhekumppani): a family-partner worker's relationship with a family.

    referred -> initial assessment -> support plan agreed -> intensive work -> tapering -> controlled closure
         \\------------------------------------------------------------------------> closed early

A family is referred through resource steering, early childhood education or the child health clinic. A
support plan needs an initial assessment first; a controlled closure needs a plan. The plan's goals are
goal areas (codes, never free-text assessments), reviewed at meetings. A relationship past 36 months is
flagged in the read models for the worker and the coordinator to review.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, assert_never

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from rinnalla_events import DomainEvent, Personal

from rinnalla_network.domain.calendar import add_months
from rinnalla_network.domain.commands import Command
from rinnalla_network.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound
from rinnalla_network.domain.values import MAX_FAMILY_CHILDREN, MAX_FAMILY_GUARDIANS, MAX_FAMILY_MEMBERS, Day, Id

STREAM_TYPE = "family_partnership"
FLAG_AFTER_MONTHS = 36


class ReferralRoute(StrEnum):
    RESOURCE_STEERING = "resource_steering"  # the county's resource steering (resurssiohjaus)
    EARLY_CHILDHOOD_EDUCATION = "early_childhood_education"
    CHILD_HEALTH_CLINIC = "child_health_clinic"  # neuvola


class Phase(StrEnum):
    REFERRED = "referred"
    ASSESSED = "assessed"
    INTENSIVE = "intensive"  # the support plan is agreed: intensive work
    TAPERING = "tapering"
    CLOSED = "closed"  # controlled closure
    CLOSED_EARLY = "closed_early"


class GoalArea(StrEnum):
    PARENTING = "parenting"
    DAILY_ROUTINES = "daily_routines"
    SCHOOL_ATTENDANCE = "school_attendance"
    SOCIAL_NETWORK = "social_network"
    HOBBIES = "hobbies"
    FINANCES = "finances"
    HOUSING = "housing"
    WELLBEING = "wellbeing"


class MeetingKind(StrEnum):
    HOME_VISIT = "home_visit"
    MEETING = "meeting"
    NETWORK_MEETING = "network_meeting"
    PLAN_REVIEW = "plan_review"


class EarlyClosureReason(StrEnum):
    FAMILY_WITHDREW = "family_withdrew"
    MOVED_AWAY = "moved_away"
    OTHER_SERVICE_TOOK_OVER = "other_service_took_over"


MemberId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^(child|guardian)-[A-Za-z0-9._:\-]+$")
]


class FamilyMember(BaseModel):
    """A member of the family the partner works with: a child or guardian (by their id in the programme, whose
    kind the id's prefix names) and the name the worker uses, encrypted for that person."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: MemberId
    name: Annotated[str, Personal(subject_field="member_id"), StringConstraints(min_length=1, max_length=200)]


# --- events ------------------------------------------------------------------------------------------


class FamilyReferred(DomainEvent):
    event_type: ClassVar[str] = "network.FamilyReferred"
    partnership_id: str
    organisation_id: str
    worker_id: str
    municipality_code: str
    route: ReferralRoute
    child_ids: tuple[str, ...]
    guardian_ids: tuple[str, ...]
    members: tuple[FamilyMember, ...] = ()
    referred_on: date
    at: AwareDatetime


class InitialAssessmentCompleted(DomainEvent):
    event_type: ClassVar[str] = "network.InitialAssessmentCompleted"
    partnership_id: str
    assessed_on: date
    by: str
    at: AwareDatetime


class SupportPlanAgreed(DomainEvent):
    event_type: ClassVar[str] = "network.SupportPlanAgreed"
    partnership_id: str
    goals: tuple[GoalArea, ...]
    agreed_on: date
    review_by: date
    by: str
    at: AwareDatetime


class SupportPlanReviewed(DomainEvent):
    event_type: ClassVar[str] = "network.SupportPlanReviewed"
    partnership_id: str
    goals_met: tuple[GoalArea, ...]
    goals: tuple[GoalArea, ...]
    reviewed_on: date
    next_review_by: date
    by: str
    at: AwareDatetime


class FamilyMeetingRecorded(DomainEvent):
    event_type: ClassVar[str] = "network.FamilyMeetingRecorded"
    partnership_id: str
    kind: MeetingKind
    met_on: date
    minutes: int
    by: str
    at: AwareDatetime


class IntensityReduced(DomainEvent):
    """Tapering: the work continues less often, towards a controlled closure."""

    event_type: ClassVar[str] = "network.IntensityReduced"
    partnership_id: str
    reduced_on: date
    by: str
    at: AwareDatetime


class ControlledClosureCompleted(DomainEvent):
    event_type: ClassVar[str] = "network.ControlledClosureCompleted"
    partnership_id: str
    closed_on: date
    goals_met: tuple[GoalArea, ...]
    by: str
    at: AwareDatetime


class FamilyWithdrew(DomainEvent):
    """The relationship closed early."""

    event_type: ClassVar[str] = "network.FamilyWithdrew"
    partnership_id: str
    reason: EarlyClosureReason
    closed_on: date
    by: str
    at: AwareDatetime


FAMILY_PARTNERSHIP_EVENTS: tuple[type[DomainEvent], ...] = (
    FamilyReferred, InitialAssessmentCompleted, SupportPlanAgreed, SupportPlanReviewed, FamilyMeetingRecorded,
    IntensityReduced, ControlledClosureCompleted, FamilyWithdrew,
)


# --- commands ----------------------------------------------------------------------------------------


class ReferFamily(Command):
    partnership_id: Id
    organisation_id: Id
    worker_id: Id
    municipality_code: str = Field(pattern=r"^\d{3}$")
    route: ReferralRoute
    child_ids: tuple[Id, ...] = Field(min_length=1, max_length=MAX_FAMILY_CHILDREN)
    guardian_ids: tuple[Id, ...] = Field(default=(), max_length=MAX_FAMILY_GUARDIANS)
    members: tuple[FamilyMember, ...] = Field(
        default=(), max_length=MAX_FAMILY_MEMBERS, description="the family members the worker meets"
    )
    referred_on: Day
    at: AwareDatetime


class CompleteInitialAssessment(Command):
    partnership_id: Id
    assessed_on: Day
    by: Id
    at: AwareDatetime


class AgreeSupportPlan(Command):
    partnership_id: Id
    goals: tuple[GoalArea, ...] = Field(min_length=1, max_length=len(GoalArea))
    agreed_on: Day
    review_by: Day
    by: Id
    at: AwareDatetime


class ReviewSupportPlan(Command):
    partnership_id: Id
    goals_met: tuple[GoalArea, ...] = Field(default=(), max_length=len(GoalArea))
    goals: tuple[GoalArea, ...] = Field(min_length=1, max_length=len(GoalArea))
    reviewed_on: Day
    next_review_by: Day
    by: Id
    at: AwareDatetime


class RecordFamilyMeeting(Command):
    partnership_id: Id
    kind: MeetingKind
    met_on: Day
    minutes: int = Field(ge=1, le=600)
    by: Id
    at: AwareDatetime


class ReduceIntensity(Command):
    partnership_id: Id
    reduced_on: Day
    by: Id
    at: AwareDatetime


class CloseInControl(Command):
    partnership_id: Id
    closed_on: Day
    goals_met: tuple[GoalArea, ...] = Field(default=(), max_length=len(GoalArea))
    by: Id
    at: AwareDatetime


class CloseEarly(Command):
    partnership_id: Id
    reason: EarlyClosureReason
    closed_on: Day
    by: Id
    at: AwareDatetime


FamilyCommand = (
    ReferFamily | CompleteInitialAssessment | AgreeSupportPlan | ReviewSupportPlan | RecordFamilyMeeting
    | ReduceIntensity | CloseInControl | CloseEarly
)


# --- the aggregate -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyPartnershipState:
    partnership_id: str = ""
    exists: bool = False
    phase: Phase | None = None
    organisation_id: str = ""
    worker_id: str = ""
    municipality_code: str = ""
    referred_on: date | None = None
    assessed_on: date | None = None
    plan_agreed_on: date | None = None
    goals: tuple[GoalArea, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.phase not in (None, Phase.CLOSED, Phase.CLOSED_EARLY)


def initial() -> FamilyPartnershipState:
    return FamilyPartnershipState()


def evolve(state: FamilyPartnershipState, event: DomainEvent) -> FamilyPartnershipState:
    match event:
        case FamilyReferred():
            return FamilyPartnershipState(
                partnership_id=event.partnership_id, exists=True, phase=Phase.REFERRED,
                organisation_id=event.organisation_id, worker_id=event.worker_id,
                municipality_code=event.municipality_code, referred_on=event.referred_on,
            )
        case InitialAssessmentCompleted():
            return replace(state, phase=Phase.ASSESSED, assessed_on=event.assessed_on)
        case SupportPlanAgreed():
            return replace(state, phase=Phase.INTENSIVE, plan_agreed_on=event.agreed_on, goals=event.goals)
        case SupportPlanReviewed():
            return replace(state, goals=event.goals)
        case IntensityReduced():
            return replace(state, phase=Phase.TAPERING)
        case ControlledClosureCompleted():
            return replace(state, phase=Phase.CLOSED)
        case FamilyWithdrew():
            return replace(state, phase=Phase.CLOSED_EARLY)
        case _:
            return state


def flagged(referred_on: date, today: date) -> bool:
    """Past 36 months: the relationship is flagged for review."""
    return today > add_months(referred_on, FLAG_AFTER_MONTHS)


def decide(state: FamilyPartnershipState, command: FamilyCommand) -> list[DomainEvent]:
    if isinstance(command, ReferFamily):
        if state.exists:
            if state.organisation_id == command.organisation_id and state.worker_id == command.worker_id:
                return []
            raise AlreadyExists("partnership_id", f"family partnership {command.partnership_id} already exists")
        return [FamilyReferred(**command.model_dump())]
    if not state.exists:
        raise NotFound("partnership_id", f"family partnership {command.partnership_id} does not exist")
    if not state.is_open:
        raise InvalidTransition("partnership_id", "the family partnership is closed")
    pid = command.partnership_id
    match command:
        case CompleteInitialAssessment():
            if state.assessed_on is not None:
                return []
            _not_before(state.referred_on, command.assessed_on, "assessed_on", "the referral")
            return [InitialAssessmentCompleted(partnership_id=pid, assessed_on=command.assessed_on, by=command.by,
                                               at=command.at)]
        case AgreeSupportPlan():
            if state.assessed_on is None:
                raise InvalidTransition("partnership_id", "a support plan needs an initial assessment first")
            if state.plan_agreed_on is not None:
                raise InvalidTransition("partnership_id", "the support plan is agreed: review it instead")
            _not_before(state.assessed_on, command.agreed_on, "agreed_on", "the initial assessment")
            _not_before(command.agreed_on, command.review_by, "review_by", "the plan")
            return [SupportPlanAgreed(partnership_id=pid, goals=tuple(dict.fromkeys(command.goals)),
                                      agreed_on=command.agreed_on, review_by=command.review_by, by=command.by,
                                      at=command.at)]
        case ReviewSupportPlan():
            if state.plan_agreed_on is None:
                raise InvalidTransition("partnership_id", "there is no support plan to review yet")
            _not_before(state.plan_agreed_on, command.reviewed_on, "reviewed_on", "the plan")
            _not_before(command.reviewed_on, command.next_review_by, "next_review_by", "the review")
            return [SupportPlanReviewed(partnership_id=pid, goals_met=command.goals_met, goals=command.goals,
                                        reviewed_on=command.reviewed_on, next_review_by=command.next_review_by,
                                        by=command.by, at=command.at)]
        case RecordFamilyMeeting():
            _not_before(state.referred_on, command.met_on, "met_on", "the referral")
            return [FamilyMeetingRecorded(partnership_id=pid, kind=command.kind, met_on=command.met_on,
                                          minutes=command.minutes, by=command.by, at=command.at)]
        case ReduceIntensity():
            if state.phase is Phase.TAPERING:
                return []
            if state.phase is not Phase.INTENSIVE:
                raise InvalidTransition("partnership_id", "tapering follows the intensive work of an agreed plan")
            return [IntensityReduced(partnership_id=pid, reduced_on=command.reduced_on, by=command.by, at=command.at)]
        case CloseInControl():
            if state.plan_agreed_on is None:
                raise InvalidTransition("partnership_id", "a controlled closure needs a support plan; close early "
                                        "instead, with the reason")
            _not_before(state.plan_agreed_on, command.closed_on, "closed_on", "the plan")
            return [ControlledClosureCompleted(partnership_id=pid, closed_on=command.closed_on,
                                               goals_met=command.goals_met, by=command.by, at=command.at)]
        case CloseEarly():
            _not_before(state.referred_on, command.closed_on, "closed_on", "the referral")
            return [FamilyWithdrew(partnership_id=pid, reason=command.reason, closed_on=command.closed_on,
                                   by=command.by, at=command.at)]
        case _:
            assert_never(command)


def _not_before(earlier: date | None, later: date, field: str, what: str) -> None:
    if earlier is not None and later < earlier:
        raise InvalidValue(field, f"cannot be before {what} ({earlier.isoformat()})")

