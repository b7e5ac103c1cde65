"""Whose records they are and how long they are kept: the register of a team's records, and legal holds.

**Register and controller.** A team's children's records belong to a register with a controller:

- `programme`: the association's own programme-delivery register (the association is the controller); the
  organisation's own retention schedule applies (`programme_record`);
- `purchased_service` (ostopalvelu): the team is a service a wellbeing services county buys; the records
  are the county's client records, the county (the team's county) is the controller and the county's
  statutory retention period applies (`statutory_retention`, one of `StatutoryRetention`).

A team's register is recorded with `TeamRegisterRecorded` on the team's own stream (the team aggregate
ignores it; `RegisterState` below reads the team's stream for it). A team with none recorded is in the
programme's own register.

**Legal holds.** A hold keeps records past their retention period while it is in force: the Lapset SIB
cohorts are measured to 2031, research studies follow children to age 20, a legal claim may need them. A
hold covers one child, every child who was ever in a team, or every child of a municipality; it has a
basis, a reference (a contract, study or case reference: an identifier, not prose) and an end date, and it
can be lifted earlier. Each hold is a stream of its own, ("legal_hold", <hold id>).

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, StringConstraints
from rinnalla_events import DomainEvent

from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.commands import Command
from rinnalla_enrollment.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_enrollment.domain.values import Id

HOLD_STREAM_TYPE = "legal_hold"
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]
_REFERENCE = re.compile(REFERENCE_PATTERN)


class Register(StrEnum):
    PROGRAMME = "programme"
    PURCHASED_SERVICE = "purchased_service"


class StatutoryRetention(StrEnum):
    """A county's statutory retention period for social-welfare client records (Act 703/2023 and the National
    Archives' retention table); each is a retention class of the same name."""

    FAMILY_SERVICES = "family_services_record"  # services for families with children: 30 years from closure
    SOCIAL_WELFARE_10_YEARS = "social_welfare_record"  # other social-welfare tasks: 10 years from closure


class HoldBasis(StrEnum):
    SIB_OUTCOME_MEASUREMENT = "sib_outcome_measurement"
    RESEARCH_STUDY = "research_study"
    LEGAL_CLAIM = "legal_claim"
    AUTHORITY_REQUEST = "authority_request"


class HoldScope(StrEnum):
    CHILD = "child"
    TEAM = "team"
    MUNICIPALITY = "municipality"


# --- events -----------------------------------------------------------------------------------------


class TeamRegisterRecorded(DomainEvent):
    """The register (and so the controller and the retention rule) of the team's children's records."""

    event_type: ClassVar[str] = "enrollment.TeamRegisterRecorded"
    team_id: str
    register_kind: Register
    controller_county_code: str | None  # the county, for a purchased service; None: the association
    statutory_retention: StatutoryRetention | None
    contract_reference: str
    recorded_on: date
    at: AwareDatetime


class LegalHoldPlaced(DomainEvent):
    event_type: ClassVar[str] = "enrollment.LegalHoldPlaced"
    hold_id: str
    municipality_code: str
    scope: HoldScope
    target_id: str  # the child, the team or the municipality code
    basis: HoldBasis
    reference: str
    placed_on: date
    held_until: date
    placed_by: str
    at: AwareDatetime


class LegalHoldLifted(DomainEvent):
    event_type: ClassVar[str] = "enrollment.LegalHoldLifted"
    hold_id: str
    lifted_on: date
    lifted_by: str
    at: AwareDatetime


RECORDS_EVENTS: tuple[type[DomainEvent], ...] = (TeamRegisterRecorded, LegalHoldPlaced, LegalHoldLifted)


# --- commands ---------------------------------------------------------------------------------------


class RecordTeamRegister(Command):
    """Record the register of the team's children's records: the programme's own, or a county's purchased
    service with the county's statutory retention period."""

    team_id: Id
    register_kind: Register
    statutory_retention: StatutoryRetention | None = None
    contract_reference: Reference | None = None
    recorded_on: date
    at: AwareDatetime


class PlaceLegalHold(Command):
    """Keep records past their retention period until `held_until` (or until the hold is lifted)."""

    hold_id: Id
    municipality_code: str
    scope: HoldScope
    target_id: Id
    basis: HoldBasis
    reference: Reference
    placed_on: date
    held_until: date
    placed_by: str
    at: AwareDatetime


class LiftLegalHold(Command):
    hold_id: Id
    lifted_on: date
    lifted_by: str
    at: AwareDatetime


# --- the team's register ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterState:
    team_id: str = ""
    exists: bool = False
    municipality_code: str = ""
    county_code: str = ""
    register: Register = Register.PROGRAMME
    controller_county_code: str | None = None
    statutory_retention: StatutoryRetention | None = None
    contract_reference: str = ""


def register_initial() -> RegisterState:
    return RegisterState()


def register_evolve(state: RegisterState, event: DomainEvent) -> RegisterState:
    match event:
        case e.TeamFounded():
            return replace(state, team_id=event.team_id, exists=True, municipality_code=event.municipality_code,
                           county_code=event.county_code)
        case TeamRegisterRecorded():
            return replace(state, register=event.register_kind, controller_county_code=event.controller_county_code,
                           statutory_retention=event.statutory_retention,
                           contract_reference=event.contract_reference)
        case _:
            return state


def register_decide(state: RegisterState, command: RecordTeamRegister) -> Sequence[DomainEvent]:
    if not state.exists:
        raise NotFound("team_id", f"team {command.team_id} does not exist")
    reference = command.contract_reference or ""
    if command.register_kind is Register.PURCHASED_SERVICE:
        if command.statutory_retention is None:
            raise InvalidValue("statutory_retention", "a purchased service keeps the county's statutory period: "
                               "name it (family_services_record or social_welfare_record)")
        if not reference:
            raise InvalidValue(
                "contract_reference", "a purchased service rests on a written contract: give its reference"
            )
        controller: str | None = state.county_code
        retention: StatutoryRetention | None = command.statutory_retention
    else:
        if command.statutory_retention is not None:
            raise InvalidValue("statutory_retention", "the programme's own register keeps the programme's schedule")
        controller, retention = None, None
    if (state.register, state.controller_county_code, state.statutory_retention, state.contract_reference) == (
        command.register_kind, controller, retention, reference
    ):
        return []
    return [TeamRegisterRecorded(
        team_id=command.team_id, register_kind=command.register_kind, controller_county_code=controller,
        statutory_retention=retention, contract_reference=reference, recorded_on=command.recorded_on,
        at=command.at,
    )]


# --- legal holds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalHold:
    hold_id: str
    municipality_code: str
    scope: HoldScope
    target_id: str
    basis: HoldBasis
    reference: str
    placed_on: date
    held_until: date
    placed_by: str
    lifted_on: date | None = None
    lifted_by: str | None = None

    def in_force_on(self, day: date) -> bool:
        """From the day it was placed to its end date, unless lifted on or before `day`."""
        lifted = self.lifted_on is not None and self.lifted_on <= day
        return self.placed_on <= day <= self.held_until and not lifted

    def covers(self, child_id: str, team_ids: frozenset[str], municipality_code: str | None) -> bool:
        match self.scope:
            case HoldScope.CHILD:
                return self.target_id == child_id
            case HoldScope.TEAM:
                return self.target_id in team_ids
            case HoldScope.MUNICIPALITY:
                return self.target_id == municipality_code

    def describe(self) -> str:
        return (f"legal hold {self.hold_id} ({self.basis.value}, {self.reference}) on {self.scope.value} "
                f"{self.target_id} until {self.held_until.isoformat()}")


@dataclass(frozen=True)
class HoldState:
    hold: LegalHold | None = None

    @property
    def exists(self) -> bool:
        return self.hold is not None


def hold_initial() -> HoldState:
    return HoldState()


def hold_evolve(state: HoldState, event: DomainEvent) -> HoldState:
    match event:
        case LegalHoldPlaced():
            return HoldState(LegalHold(
                hold_id=event.hold_id, municipality_code=event.municipality_code, scope=event.scope,
                target_id=event.target_id, basis=event.basis, reference=event.reference, placed_on=event.placed_on,
                held_until=event.held_until, placed_by=event.placed_by,
            ))
        case LegalHoldLifted() if state.hold is not None:
            return HoldState(replace(state.hold, lifted_on=event.lifted_on, lifted_by=event.lifted_by))
        case _:
            return state


def hold_decide(state: HoldState, command: PlaceLegalHold | LiftLegalHold) -> Sequence[DomainEvent]:
    match command:
        case PlaceLegalHold():
            if state.hold is not None:
                raise AlreadyExists("hold_id", f"legal hold {command.hold_id} exists")
            if not _REFERENCE.match(command.reference):
                raise InvalidValue("reference", "a contract, study or case reference (letters, digits, . _ : / -)")
            if command.held_until <= command.placed_on:
                raise RuleViolated("held_until", "a hold ends after the day it is placed")
            if command.scope is HoldScope.MUNICIPALITY and command.target_id != command.municipality_code:
                raise InvalidValue("target_id", "a municipality-wide hold names the municipality's own code")
            return [LegalHoldPlaced(
                hold_id=command.hold_id, municipality_code=command.municipality_code, scope=command.scope,
                target_id=command.target_id, basis=command.basis, reference=command.reference,
                placed_on=command.placed_on, held_until=command.held_until, placed_by=command.placed_by,
                at=command.at,
            )]
        case LiftLegalHold():
            hold = state.hold
            if hold is None:
                raise NotFound("hold_id", f"legal hold {command.hold_id} does not exist")
            if hold.lifted_on is not None:
                raise InvalidTransition("hold_id", f"legal hold {command.hold_id} was lifted on "
                                        f"{hold.lifted_on.isoformat()}")
            if command.lifted_on < hold.placed_on:
                raise RuleViolated("lifted_on", "a hold cannot be lifted before it was placed")
            return [LegalHoldLifted(
                hold_id=command.hold_id, lifted_on=command.lifted_on, lifted_by=command.lifted_by, at=command.at,
            )]

