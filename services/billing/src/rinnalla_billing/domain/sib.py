"""Social-impact-bond outcome contracts: who pays for which outcomes, how they are measured, and the
outcome payments, which are computed and billed only for a verified result.

The parties are kept apart: the outcome payer (who pays, e.g. a wellbeing services county) is not
necessarily the savings beneficiary (whose costs fall), and neither is the fund (which financed the teams
and receives the payments), the providers, or the evaluator (who measures). A metric compares the
measured value with its baseline or counterfactual; its payment rule pays a share of the measured
improvement (per participant, valued at a price per unit), never more than its cap. The evaluator submits
a result with its counterfactual, n and an evidence hash; a verifier verifies or disputes it; only then
can the payment be billed (earlier answers 409). The fund sees contract-level figures only, and a result
of fewer than 5 participants is suppressed. What the outcome payments are put back into (new teams, the
next cohort) is recorded against the contract as reinvestments, never more than the payments billed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints
from rinnalla_events import DomainEvent

from rinnalla_billing.domain.agreement import checked_payers, checked_seller, checked_vat
from rinnalla_billing.domain.commands import Command, Reason
from rinnalla_billing.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_billing.domain.money import WHOLE, round_cents
from rinnalla_billing.domain.values import (
    MAX_METRICS,
    MAX_PARTIES,
    MAX_PERIODS,
    Cents,
    Day,
    Id,
    PayerTerms,
    Seller,
    Text,
    Value,
    VatTreatment,
)

STREAM_TYPE = "sib_contract"
MAX_COHORT = 100_000  # children a contract's teams aim to enrol, or a result was measured on
MAX_RESULT = Decimal(1_000_000_000)  # a metric's value or counterfactual (a rate, a count, euros)
SUPPRESSION_THRESHOLD = 5
"""A result measured on fewer participants than this is not shown to the fund (small numbers identify)."""

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Method(StrEnum):
    BASELINE = "baseline"
    COUNTERFACTUAL = "counterfactual"


class Metric(Value):
    metric_id: Id
    name: Text
    method: Method
    higher_is_better: bool = Field(description="false for e.g. placements outside the home")
    target: Decimal = Field(description="the improvement per participant the contract aims at")
    value_per_unit_cents: int = Field(gt=0, description="what one unit of improvement per participant is worth")
    payment_share_basis_points: int = Field(gt=0, le=WHOLE, description="the share of that worth paid out")
    cap_cents: int = Field(gt=0, description="the most this metric pays for one measurement period")


class MeasurementPeriod(Value):
    period_id: Id
    start: date
    end: date


class Party(Value):
    name: Text
    business_id: str = ""


class SetUpSibContract(Command):
    contract_id: Id
    municipality_code: Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
    outcome_payer: PayerTerms = Field(description="who pays the outcome payments, and where its invoices go")
    savings_beneficiary: Party
    fund: Seller = Field(description="the fund: receives the outcome payments, invoices them")
    providers: tuple[Party, ...] = Field(min_length=1, max_length=MAX_PARTIES)
    evaluator: Party
    cohort_target: int = Field(gt=0, le=MAX_COHORT, description="children the teams aim to enrol")
    horizon_years: int = Field(gt=0, le=30)
    metrics: tuple[Metric, ...] = Field(min_length=1, max_length=MAX_METRICS)
    periods: tuple[MeasurementPeriod, ...] = Field(min_length=1, max_length=MAX_PERIODS)
    vat: VatTreatment = VatTreatment()


class SubmitResult(Command):
    contract_id: Id
    metric_id: Id
    period_id: Id
    value: Decimal = Field(ge=-MAX_RESULT, le=MAX_RESULT)
    counterfactual: Decimal = Field(
        ge=-MAX_RESULT, le=MAX_RESULT,
        description="the baseline or counterfactual value the metric compares with",
    )
    n: int = Field(ge=0, le=MAX_COHORT, description="participants the result was measured on")
    evidence_hash: str = Field(max_length=64, description="SHA-256 (hex) of the evaluator's evidence package")


class VerifyResult(Command):
    contract_id: Id
    metric_id: Id
    period_id: Id


class DisputeResult(Command):
    contract_id: Id
    metric_id: Id
    period_id: Id
    reason: Reason


class BillOutcomePayment(Command):
    contract_id: Id
    metric_id: Id
    period_id: Id


class RecordReinvestment(Command):
    """Part of the outcome payments put back into the programme (a new team, the next cohort)."""

    contract_id: Id
    reinvestment_id: Id
    amount_cents: Cents
    reinvested_on: Day
    purpose: Reason


class SibContractSetUp(DomainEvent):
    event_type: ClassVar[str] = "billing.SibContractSetUp"
    contract_id: str
    municipality_code: str
    outcome_payer: PayerTerms
    savings_beneficiary: Party
    fund: Seller
    providers: tuple[Party, ...]
    evaluator: Party
    cohort_target: int
    horizon_years: int
    metrics: tuple[Metric, ...]
    periods: tuple[MeasurementPeriod, ...]
    vat: VatTreatment


class OutcomeResultSubmitted(DomainEvent):
    event_type: ClassVar[str] = "billing.OutcomeResultSubmitted"
    contract_id: str
    metric_id: str
    period_id: str
    value: Decimal
    counterfactual: Decimal
    n: int
    evidence_hash: str


class OutcomeResultVerified(DomainEvent):
    event_type: ClassVar[str] = "billing.OutcomeResultVerified"
    contract_id: str
    metric_id: str
    period_id: str
    evidence_hash: str


class OutcomeResultDisputed(DomainEvent):
    event_type: ClassVar[str] = "billing.OutcomeResultDisputed"
    contract_id: str
    metric_id: str
    period_id: str
    reason: str


class OutcomePaymentBilled(DomainEvent):
    """The payment for a verified result, drafted as an invoice from the fund to the outcome payer."""

    event_type: ClassVar[str] = "billing.OutcomePaymentBilled"
    contract_id: str
    metric_id: str
    period_id: str
    amount_cents: int
    capped: bool
    document_id: str


class OutcomePaymentReinvested(DomainEvent):
    event_type: ClassVar[str] = "billing.OutcomePaymentReinvested"
    contract_id: str
    reinvestment_id: str
    amount_cents: int
    reinvested_on: date
    purpose: str


SIB_EVENTS: tuple[type[DomainEvent], ...] = (
    SibContractSetUp, OutcomeResultSubmitted, OutcomeResultVerified, OutcomeResultDisputed, OutcomePaymentBilled,
    OutcomePaymentReinvested,
)


class ResultStatus(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    BILLED = "billed"


@dataclass(frozen=True)
class Result:
    value: Decimal
    counterfactual: Decimal
    n: int
    evidence_hash: str
    status: ResultStatus
    payment_cents: int | None = None
    document_id: str | None = None


@dataclass(frozen=True)
class SibState:
    contract: SibContractSetUp | None = None
    results: dict[tuple[str, str], Result] = field(default_factory=dict)
    reinvested: dict[str, int] = field(default_factory=dict)
    """Per reinvestment id: the amount put back into the programme."""

    @property
    def exists(self) -> bool:
        return self.contract is not None

    @property
    def billed_cents(self) -> int:
        return sum(result.payment_cents or 0 for result in self.results.values())

    @property
    def reinvested_cents(self) -> int:
        return sum(self.reinvested.values())

    def metric(self, metric_id: str) -> Metric:
        assert self.contract is not None
        for metric in self.contract.metrics:
            if metric.metric_id == metric_id:
                return metric
        raise NotFound("metric_id", f"the contract has no metric {metric_id}")

    def period(self, period_id: str) -> MeasurementPeriod:
        assert self.contract is not None
        for period in self.contract.periods:
            if period.period_id == period_id:
                return period
        raise NotFound("period_id", f"the contract has no measurement period {period_id}")


def account_id(contract_id: str) -> str:
    """The account its outcome payments are booked in, apart from every partnership's."""
    return f"sib:{contract_id}"


def initial() -> SibState:
    return SibState()


def evolve(state: SibState, event: DomainEvent) -> SibState:
    match event:
        case SibContractSetUp():
            return SibState(contract=event)
        case OutcomeResultSubmitted():
            result = Result(event.value, event.counterfactual, event.n, event.evidence_hash, ResultStatus.SUBMITTED)
            return replace(state, results={**state.results, (event.metric_id, event.period_id): result})
        case OutcomeResultVerified() | OutcomeResultDisputed() | OutcomePaymentBilled():
            key = (event.metric_id, event.period_id)
            current = state.results[key]
            if isinstance(event, OutcomeResultVerified):
                updated = replace(current, status=ResultStatus.VERIFIED)
            elif isinstance(event, OutcomeResultDisputed):
                updated = replace(current, status=ResultStatus.DISPUTED)
            else:
                updated = replace(
                    current, status=ResultStatus.BILLED, payment_cents=event.amount_cents,
                    document_id=event.document_id,
                )
            return replace(state, results={**state.results, key: updated})
        case OutcomePaymentReinvested():
            return replace(state, reinvested={**state.reinvested, event.reinvestment_id: event.amount_cents})
    return state


def improvement(metric: Metric, value: Decimal, counterfactual: Decimal) -> Decimal:
    """The measured improvement per participant: value over counterfactual, the right way round."""
    difference = value - counterfactual
    return difference if metric.higher_is_better else -difference


def outcome_payment(metric: Metric, result: Result) -> tuple[int, bool]:
    """(the payment in cents, whether the cap cut it): share x improvement x n x value per unit, rounded half
    up once, at least 0 (no improvement pays nothing), at most the cap."""
    gain = improvement(metric, result.value, result.counterfactual)
    if gain <= 0:
        return 0, False
    exact = Fraction(gain) * result.n * metric.value_per_unit_cents * Fraction(metric.payment_share_basis_points, WHOLE)
    amount = round_cents(exact)
    return (metric.cap_cents, True) if amount > metric.cap_cents else (amount, False)


def set_up(state: SibState, command: SetUpSibContract) -> list[DomainEvent]:
    if state.exists:
        raise AlreadyExists("contract_id", f"contract {command.contract_id} is already set up")
    payer = checked_payers((command.outcome_payer.model_copy(update={"share_basis_points": WHOLE}),),
                           "outcome_payer")[0]
    ids = [m.metric_id for m in command.metrics]
    if len(set(ids)) != len(ids):
        raise InvalidValue("metrics", "a metric id is listed twice")
    periods = [p.period_id for p in command.periods]
    if len(set(periods)) != len(periods):
        raise InvalidValue("periods", "a measurement period id is listed twice")
    for index, period in enumerate(command.periods):
        if period.end < period.start:
            raise InvalidValue(f"periods[{index}].end", "the period ends before it starts")
    return [
        SibContractSetUp(
            contract_id=command.contract_id, municipality_code=command.municipality_code, outcome_payer=payer,
            savings_beneficiary=command.savings_beneficiary, fund=checked_seller(command.fund, "fund"),
            providers=command.providers, evaluator=command.evaluator, cohort_target=command.cohort_target,
            horizon_years=command.horizon_years, metrics=command.metrics, periods=command.periods,
            vat=checked_vat(command.vat),
        )
    ]


def decide(state: SibState, command: SubmitResult | VerifyResult | DisputeResult) -> list[DomainEvent]:
    if not state.exists:
        raise NotFound("contract_id", f"contract {command.contract_id} is not set up")
    state.metric(command.metric_id)
    state.period(command.period_id)
    key = (command.metric_id, command.period_id)
    current = state.results.get(key)
    match command:
        case SubmitResult():
            if not _SHA256.match(command.evidence_hash):
                raise InvalidValue("evidence_hash", "the evidence hash is a SHA-256 in lower-case hex (64 digits)")
            if current is not None and current.status in {ResultStatus.VERIFIED, ResultStatus.BILLED}:
                raise InvalidTransition("metric_id", "the result of this period is verified already")
            return [
                OutcomeResultSubmitted(
                    contract_id=command.contract_id, metric_id=command.metric_id, period_id=command.period_id,
                    value=command.value, counterfactual=command.counterfactual, n=command.n,
                    evidence_hash=command.evidence_hash,
                )
            ]
        case VerifyResult() | DisputeResult():
            if current is None:
                raise InvalidTransition("metric_id", "no result has been submitted for this metric and period")
            if current.status is not ResultStatus.SUBMITTED:
                raise InvalidTransition("metric_id", f"the result is {current.status.value} already")
            if isinstance(command, VerifyResult):
                return [
                    OutcomeResultVerified(
                        contract_id=command.contract_id, metric_id=command.metric_id, period_id=command.period_id,
                        evidence_hash=current.evidence_hash,
                    )
                ]
            return [
                OutcomeResultDisputed(
                    contract_id=command.contract_id, metric_id=command.metric_id, period_id=command.period_id,
                    reason=command.reason,
                )
            ]


def bill(state: SibState, command: BillOutcomePayment) -> tuple[OutcomePaymentBilled, Metric, MeasurementPeriod]:
    """The payment of a verified result (409 before verification, or when it was billed already)."""
    if not state.exists:
        raise NotFound("contract_id", f"contract {command.contract_id} is not set up")
    metric = state.metric(command.metric_id)
    period = state.period(command.period_id)
    result = state.results.get((command.metric_id, command.period_id))
    if result is None or result.status in {ResultStatus.SUBMITTED, ResultStatus.DISPUTED}:
        status = "has no result" if result is None else f"is {result.status.value}"
        raise InvalidTransition(
            "period_id", f"no outcome payment before a verified result: the result of {period.period_id} {status}"
        )
    if result.status is ResultStatus.BILLED:
        raise InvalidTransition("period_id", f"the outcome payment of {period.period_id} is billed already")
    amount, capped = outcome_payment(metric, result)
    if amount == 0:
        raise RuleViolated("period_id", "the verified result shows no improvement: there is nothing to pay")
    document_id = f"{command.contract_id}-{metric.metric_id}-{period.period_id}"
    billed = OutcomePaymentBilled(
        contract_id=command.contract_id, metric_id=metric.metric_id, period_id=period.period_id,
        amount_cents=amount, capped=capped, document_id=document_id,
    )
    return billed, metric, period


def reinvest(state: SibState, command: RecordReinvestment) -> list[DomainEvent]:
    """A reinvestment of the outcome payments: never more, in all, than the payments billed (409 otherwise)."""
    if not state.exists:
        raise NotFound("contract_id", f"contract {command.contract_id} is not set up")
    if command.reinvestment_id in state.reinvested:
        raise AlreadyExists("reinvestment_id", f"reinvestment {command.reinvestment_id} is recorded already")
    left = state.billed_cents - state.reinvested_cents
    if command.amount_cents > left:
        raise InvalidTransition(
            "amount_cents",
            f"only {left} cents of the outcome payments billed are not reinvested yet; "
            f"{command.amount_cents} cannot be reinvested",
        )
    return [
        OutcomePaymentReinvested(
            contract_id=command.contract_id, reinvestment_id=command.reinvestment_id,
            amount_cents=command.amount_cents, reinvested_on=command.reinvested_on, purpose=command.purpose,
        )
    ]
