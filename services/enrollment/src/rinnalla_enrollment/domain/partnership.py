"""Partnership aggregate: a municipality and its wellbeing county counterpart, and their agreement.

Since 2023 a site has two public counterparts: the municipality (school, early childhood education,
youth and sport) and the wellbeing services county (social services and child welfare). The county
follows from the municipality code (Statistics Finland's correspondence table). The partnership
agreement (kumppanuussopimus) commits the municipality to at least two teams, so that mentors can
work as a pair.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import assert_never

from rinnalla_events import DomainEvent
from rinnalla_refdata import ReferenceDataError, county, county_of, validate_business_id

from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.cost_sharing import Payer, check_price, checked_payers
from rinnalla_enrollment.domain.errors import (
    AlreadyExists,
    InvalidTransition,
    InvalidValue,
    NotFound,
    RuleViolated,
)
from rinnalla_enrollment.domain.values import PartnershipStatus, require_text

STREAM_TYPE = "partnership"
MIN_TEAMS_IN_AGREEMENT = 2


@dataclass(frozen=True)
class PartnershipState:
    partnership_id: str = ""
    status: PartnershipStatus | None = None  # None: no such partnership
    municipality_code: str = ""
    business_id: str = ""
    county_code: str = ""
    opened_on: date | None = None
    team_count: int = 0  # teams committed in the agreement in force
    agreement_valid_from: date | None = None
    agreement_valid_until: date | None = None
    annual_amount_eur: Decimal | None = None
    team_ids: tuple[str, ...] = ()
    ended_on: date | None = None
    price_per_team_cents: int | None = None  # None until the cost sharing is agreed
    payers: tuple[Payer, ...] = ()
    cost_sharing_from: date | None = None

    @property
    def exists(self) -> bool:
        return self.status is not None


def initial() -> PartnershipState:
    return PartnershipState()


def decide(state: PartnershipState, command: c.PartnershipCommand) -> list[DomainEvent]:
    if isinstance(command, c.OpenPartnership):
        return _open(state, command)
    if not state.exists:
        raise NotFound("partnership_id", f"partnership {command.partnership_id} does not exist")
    match command:
        case c.SignPartnershipAgreement():
            return _sign(state, command)
        case c.AgreeCostSharing():
            return _agree_cost_sharing(state, command)
        case c.RecordNegotiationFailure():
            _require(state, {PartnershipStatus.NEGOTIATING}, "record a failed negotiation")
            require_text(command.reason, "reason", "the reason")
            return [
                e.PartnershipNegotiationFailed(
                    partnership_id=state.partnership_id, failed_on=command.failed_on,
                    record_id=e.partnership_record(state.partnership_id), reason=command.reason,
                )
            ]
        case c.ChangeCountyCounterpart():
            _require(state, {PartnershipStatus.NEGOTIATING, PartnershipStatus.AGREED}, "change the county")
            try:
                new_county = county(command.county_code)
            except ReferenceDataError as exc:
                raise InvalidValue("county_code", exc.reason) from None
            if new_county.code == state.county_code:
                return []
            return [
                e.PartnershipCountyCounterpartChanged(
                    partnership_id=state.partnership_id, county_code=new_county.code, changed_on=command.changed_on
                )
            ]
        case c.AddTeamToPartnership():
            return _add_team(state, command)
        case c.EndPartnership():
            _require(state, {PartnershipStatus.AGREED}, "end the partnership")
            require_text(command.reason, "reason", "the reason")
            return [
                e.PartnershipEnded(
                    partnership_id=state.partnership_id, ended_on=command.ended_on,
                    record_id=e.partnership_record(state.partnership_id), reason=command.reason,
                )
            ]
        case _:
            assert_never(command)


def _open(state: PartnershipState, command: c.OpenPartnership) -> list[DomainEvent]:
    if state.exists:
        raise AlreadyExists("partnership_id", f"partnership {command.partnership_id} already exists")
    try:
        counterpart = county_of(command.municipality_code)
    except ReferenceDataError as exc:
        raise InvalidValue("municipality_code", exc.reason) from None
    business_id = ""
    if command.business_id.strip():
        try:
            business_id = validate_business_id(command.business_id)
        except ReferenceDataError as exc:
            raise InvalidValue("business_id", exc.reason) from None
    return [
        e.PartnershipOpened(
            partnership_id=command.partnership_id,
            municipality_code=command.municipality_code,
            business_id=business_id,
            county_code=counterpart.code,
            opened_on=command.opened_on,
        )
    ]


def _sign(state: PartnershipState, command: c.SignPartnershipAgreement) -> list[DomainEvent]:
    # Signing again while agreed renews the agreement for a new period.
    _require(state, {PartnershipStatus.NEGOTIATING, PartnershipStatus.AGREED}, "sign an agreement")
    if command.team_count < MIN_TEAMS_IN_AGREEMENT:
        raise RuleViolated(
            "team_count",
            f"a partnership agreement commits to at least {MIN_TEAMS_IN_AGREEMENT} teams so that mentors can work "
            f"as a pair; got {command.team_count}",
        )
    if command.team_count < len(state.team_ids):
        raise RuleViolated("team_count", f"the partnership already has {len(state.team_ids)} teams")
    if command.valid_until is not None and command.valid_until <= command.valid_from:
        raise InvalidValue("valid_until", "the agreement must end after it starts")
    if command.annual_amount_eur is not None and command.annual_amount_eur <= 0:
        raise InvalidValue("annual_amount_eur", "the annual amount must be positive")
    return [
        e.PartnershipAgreementSigned(
            partnership_id=state.partnership_id,
            signed_on=command.signed_on,
            team_count=command.team_count,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
            annual_amount_eur=command.annual_amount_eur,
        )
    ]


def _agree_cost_sharing(state: PartnershipState, command: c.AgreeCostSharing) -> list[DomainEvent]:
    _require(state, {PartnershipStatus.NEGOTIATING, PartnershipStatus.AGREED}, "agree the cost sharing")
    check_price(command.price_per_team_cents)
    payers = checked_payers(command.payers)
    if state.cost_sharing_from is not None and command.valid_from < state.cost_sharing_from:
        raise InvalidValue(
            "valid_from", f"the cost sharing in force is from {state.cost_sharing_from}; a new one cannot start earlier"
        )
    if (command.price_per_team_cents, payers, command.valid_from) == (
        state.price_per_team_cents, state.payers, state.cost_sharing_from
    ):
        return []
    return [
        e.PartnershipCostSharingAgreed(
            partnership_id=state.partnership_id,
            agreed_on=command.agreed_on,
            valid_from=command.valid_from,
            price_per_team_cents=command.price_per_team_cents,
            payers=payers,
        )
    ]


def _add_team(state: PartnershipState, command: c.AddTeamToPartnership) -> list[DomainEvent]:
    _require(state, {PartnershipStatus.AGREED}, "add a team")
    if command.team_id in state.team_ids:
        return []
    if command.municipality_code != state.municipality_code:
        raise RuleViolated(
            "municipality_code",
            f"the team is in municipality {command.municipality_code}, "
            f"the partnership is with {state.municipality_code}",
        )
    if len(state.team_ids) >= state.team_count:
        raise RuleViolated(
            "partnership_id",
            f"the agreement covers {state.team_count} teams and all are founded; sign a new agreement first",
        )
    return [e.TeamAddedToPartnership(partnership_id=state.partnership_id, team_id=command.team_id)]


def _require(state: PartnershipState, allowed: set[PartnershipStatus], action: str) -> None:
    if state.status not in allowed:
        raise InvalidTransition("partnership_id", f"cannot {action}: the partnership is {state.status}")


def evolve(state: PartnershipState, event: DomainEvent) -> PartnershipState:
    match event:
        case e.PartnershipOpened():
            return PartnershipState(
                partnership_id=event.partnership_id,
                status=PartnershipStatus.NEGOTIATING,
                municipality_code=event.municipality_code,
                business_id=event.business_id,
                county_code=event.county_code,
                opened_on=event.opened_on,
            )
        case e.PartnershipAgreementSigned():
            return replace(
                state,
                status=PartnershipStatus.AGREED,
                team_count=event.team_count,
                agreement_valid_from=event.valid_from,
                agreement_valid_until=event.valid_until,
                annual_amount_eur=event.annual_amount_eur,
            )
        case e.PartnershipCostSharingAgreed():
            return replace(
                state,
                price_per_team_cents=event.price_per_team_cents,
                payers=event.payers,
                cost_sharing_from=event.valid_from,
            )
        case e.PartnershipNegotiationFailed():
            return replace(state, status=PartnershipStatus.NEGOTIATION_FAILED)
        case e.PartnershipCountyCounterpartChanged():
            return replace(state, county_code=event.county_code)
        case e.TeamAddedToPartnership():
            return replace(state, team_ids=(*state.team_ids, event.team_id))
        case e.PartnershipEnded():
            return replace(state, status=PartnershipStatus.ENDED, ended_on=event.ended_on)
        case _:
            return state
