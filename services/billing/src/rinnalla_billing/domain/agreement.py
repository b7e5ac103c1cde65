"""Billing agreement aggregate: the billing terms of one partnership, their amendments and termination.

The terms in force at a period's first day govern the whole period (an amendment or an index adjustment
takes effect from the first period starting on or after its date). The frequency is fixed for the life of
the agreement: changing it would cut periods already invoiced in two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from rinnalla_events import DomainEvent

from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_billing.domain.facts import PartnershipFacts
from rinnalla_billing.domain.money import check_shares, round_cents
from rinnalla_billing.domain.periods import Frequency
from rinnalla_billing.domain.references import checked_business_id, checked_peppol_id
from rinnalla_billing.domain.values import PayerTerms, Seller, VatCategory, VatTreatment

STREAM_TYPE = "agreement"
MIN_TEAMS = 2


@dataclass(frozen=True)
class Terms:
    effective_from: date
    price_per_team_cents: int
    payers: tuple[PayerTerms, ...]
    vat: VatTreatment


@dataclass(frozen=True)
class AgreementState:
    agreement_id: str = ""
    exists: bool = False
    municipality_code: str = ""
    seller: Seller | None = None
    frequency: Frequency = Frequency.QUARTERLY
    payment_terms_days: int = 21
    valid_from: date | None = None
    valid_until: date | None = None
    terminated_on: date | None = None
    terms: tuple[Terms, ...] = ()

    def terms_on(self, day: date) -> Terms:
        """The terms in force on `day` (the first terms for a day before them)."""
        in_force = [t for t in self.terms if t.effective_from <= day]
        return in_force[-1] if in_force else self.terms[0]

    @property
    def last_day(self) -> date | None:
        """The last day anything is charged: the end of the term or the termination, whichever is first."""
        ends = [d for d in (self.valid_until, self.terminated_on) if d is not None]
        return min(ends) if ends else None


def initial() -> AgreementState:
    return AgreementState()


def evolve(state: AgreementState, event: DomainEvent) -> AgreementState:
    match event:
        case e.AgreementSetUp():
            return AgreementState(
                agreement_id=event.agreement_id, exists=True, municipality_code=event.municipality_code,
                seller=event.seller, frequency=event.frequency, payment_terms_days=event.payment_terms_days,
                valid_from=event.valid_from, valid_until=event.valid_until,
                terms=(Terms(event.valid_from, event.price_per_team_cents, event.payers, event.vat),),
            )
        case e.AgreementAmended():
            terms = Terms(event.effective_from, event.price_per_team_cents, event.payers, event.vat)
            return replace(state, terms=_with_terms(state.terms, terms))
        case e.PriceIndexAdjusted():
            current = state.terms_on(event.effective_from)
            price = event.price_per_team_cents
            terms = replace(current, effective_from=event.effective_from, price_per_team_cents=price)
            return replace(state, terms=_with_terms(state.terms, terms))
        case e.AgreementTerminated():
            return replace(state, terminated_on=event.terminated_on)
    return state


def _with_terms(history: tuple[Terms, ...], terms: Terms) -> tuple[Terms, ...]:
    kept = [t for t in history if t.effective_from != terms.effective_from]
    return tuple(sorted([*kept, terms], key=lambda t: t.effective_from))


def checked_payers(payers: tuple[PayerTerms, ...], field: str = "payers") -> tuple[PayerTerms, ...]:
    """Normalised payers; refuses a bad Y-tunnus or e-invoice address, a payer listed twice, or shares that
    do not sum to exactly 100 %."""
    check_shares([p.share_basis_points for p in payers], field)
    seen: set[str] = set()
    checked: list[PayerTerms] = []
    for index, payer in enumerate(payers):
        path = f"{field}[{index}]"
        if payer.payer_id in seen:
            raise InvalidValue(f"{path}.payer_id", "the same payer is listed twice")
        seen.add(payer.payer_id)
        business_id = checked_business_id(payer.business_id, f"{path}.business_id")
        peppol_id = checked_peppol_id(payer.peppol_id, f"{path}.peppol_id", business_id=business_id)
        checked.append(payer.model_copy(update={"business_id": business_id, "peppol_id": peppol_id}))
    return tuple(checked)


def checked_seller(seller: Seller, field: str = "seller") -> Seller:
    business_id = checked_business_id(seller.business_id, f"{field}.business_id")
    peppol_id = checked_peppol_id(seller.peppol_id, f"{field}.peppol_id", business_id=business_id)
    return seller.model_copy(update={"business_id": business_id, "peppol_id": peppol_id})


def checked_vat(vat: VatTreatment, field: str = "vat") -> VatTreatment:
    if vat.category is VatCategory.EXEMPT:
        if vat.rate_basis_points != 0:
            raise InvalidValue(f"{field}.rate_basis_points", "an exempt agreement has the rate 0")
        if not vat.exemption_reason_code.startswith("VATEX-") or not vat.exemption_reason.strip():
            raise InvalidValue(f"{field}.exemption_reason_code", "an exemption needs a VATEX code and a reason")
    elif vat.rate_basis_points <= 0:
        raise InvalidValue(f"{field}.rate_basis_points", "a standard-rated agreement names its rate")
    return vat


def set_up(state: AgreementState, facts: PartnershipFacts | None, command: c.SetUpAgreement) -> list[DomainEvent]:
    if state.exists:
        raise AlreadyExists("agreement_id", f"agreement {command.agreement_id} is already set up")
    if facts is None:
        raise NotFound("agreement_id", f"enrollment has recorded no partnership {command.agreement_id} (yet)")
    if facts.team_count < MIN_TEAMS:
        raise RuleViolated(
            "agreement_id",
            f"the partnership's signed agreement commits {facts.team_count} team(s); "
            f"billing needs an agreement of at least {MIN_TEAMS} teams",
        )
    if command.valid_until is not None and command.valid_until < command.valid_from:
        raise InvalidValue("valid_until", "the term ends before it starts")
    return [
        e.AgreementSetUp(
            agreement_id=command.agreement_id, municipality_code=facts.municipality_code,
            seller=checked_seller(command.seller), frequency=command.frequency,
            price_per_team_cents=command.price_per_team_cents, payers=checked_payers(command.payers),
            vat=checked_vat(command.vat), payment_terms_days=command.payment_terms_days,
            valid_from=command.valid_from, valid_until=command.valid_until,
        )
    ]


def decide(state: AgreementState, command: c.AmendAgreement | c.AdjustPriceByIndex | c.TerminateAgreement) -> list[
    DomainEvent
]:
    if not state.exists:
        raise NotFound("agreement_id", f"agreement {command.agreement_id} is not set up")
    if state.terminated_on is not None:
        raise InvalidTransition("agreement_id", f"the agreement was terminated on {state.terminated_on}")
    match command:
        case c.AmendAgreement():
            current = state.terms_on(command.effective_from)
            _after_start(state, command.effective_from)
            return [
                e.AgreementAmended(
                    agreement_id=state.agreement_id, effective_from=command.effective_from,
                    price_per_team_cents=command.price_per_team_cents or current.price_per_team_cents,
                    payers=checked_payers(command.payers) if command.payers is not None else current.payers,
                    vat=checked_vat(command.vat) if command.vat is not None else current.vat,
                    record_id=e.agreement_record(state.agreement_id), reason=command.reason,
                )
            ]
        case c.AdjustPriceByIndex():
            _after_start(state, command.effective_from)
            current = state.terms_on(command.effective_from)
            price = round_cents(
                current.price_per_team_cents * Fraction(10_000 + command.index_change_basis_points, 10_000)
            )
            return [
                e.PriceIndexAdjusted(
                    agreement_id=state.agreement_id, effective_from=command.effective_from,
                    index_change_basis_points=command.index_change_basis_points, price_per_team_cents=price,
                )
            ]
        case c.TerminateAgreement():
            assert state.valid_from is not None
            if command.terminated_on < state.valid_from:
                raise InvalidValue("terminated_on", "the agreement cannot end before its term starts")
            return [
                e.AgreementTerminated(
                    agreement_id=state.agreement_id, terminated_on=command.terminated_on,
                    record_id=e.agreement_record(state.agreement_id), reason=command.reason,
                )
            ]


def _after_start(state: AgreementState, day: date) -> None:
    assert state.valid_from is not None
    if day <= state.valid_from:
        raise InvalidValue("effective_from", f"an amendment takes effect after the term starts ({state.valid_from})")
