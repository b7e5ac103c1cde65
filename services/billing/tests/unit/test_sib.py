"""Outcome contracts: the payment rule (share of the measured improvement, capped), and no payment before
a verified result."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce

import pytest
from rinnalla_billing.domain import sib
from rinnalla_billing.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, RuleViolated
from rinnalla_events import DomainEvent
from sib_builders import contract_body, result_body


def contract() -> sib.SibState:
    command = sib.SetUpSibContract.model_validate({"contract_id": "sib-1", **contract_body()})
    return reduce(sib.evolve, sib.set_up(sib.initial(), command), sib.initial())


def run(state: sib.SibState, *commands: sib.SubmitResult | sib.VerifyResult | sib.DisputeResult) -> sib.SibState:
    for command in commands:
        events: list[DomainEvent] = sib.decide(state, command)
        state = reduce(sib.evolve, events, state)
    return state


def submit(**overrides: object) -> sib.SubmitResult:
    return sib.SubmitResult.model_validate({"contract_id": "sib-1", **result_body(), **overrides})


VERIFY = sib.VerifyResult(contract_id="sib-1", metric_id="placements", period_id="2027")
BILL = sib.BillOutcomePayment(contract_id="sib-1", metric_id="placements", period_id="2027")


def test_the_payment_is_a_share_of_the_measured_improvement() -> None:
    state = run(contract(), submit(), VERIFY)
    billed, metric, _ = sib.bill(state, BILL)
    # placements fell from 0.19 (counterfactual) to 0.06: 0.13 per child x 32 children x 150,000.00 EUR x 10 %
    assert sib.improvement(metric, Decimal("0.06"), Decimal("0.19")) == Decimal("0.13")
    assert (billed.amount_cents, billed.capped) == (6_240_000, False)


def test_the_payment_never_exceeds_the_cap() -> None:
    state = run(contract(), submit(n=80, value="0.01", counterfactual="0.30"), VERIFY)
    billed, _, _ = sib.bill(state, BILL)
    assert (billed.amount_cents, billed.capped) == (20_000_000, True)


def test_the_payment_is_rounded_half_up_once() -> None:
    # 0.000001 per child x 7 children x 15,000,000 cents x 10 % = 10.5 cents -> 11
    state = run(contract(), submit(n=7, value="0.189999", counterfactual="0.19"), VERIFY)
    billed, _, _ = sib.bill(state, BILL)
    assert billed.amount_cents == 11


def test_no_payment_before_a_verified_result() -> None:
    with pytest.raises(InvalidTransition, match="has no result"):
        sib.bill(contract(), BILL)
    submitted = run(contract(), submit())
    with pytest.raises(InvalidTransition, match="before a verified result"):
        sib.bill(submitted, BILL)
    disputed = run(contract(), submit(), sib.DisputeResult(contract_id="sib-1", metric_id="placements",
                                                           period_id="2027", reason="wrong cohort"))
    with pytest.raises(InvalidTransition, match="is disputed"):
        sib.bill(disputed, BILL)
    # a disputed result is submitted again, then verified
    again = run(disputed, submit(), VERIFY)
    billed, _, _ = sib.bill(again, BILL)
    done = sib.evolve(again, billed)
    with pytest.raises(InvalidTransition, match="billed already"):
        sib.bill(done, BILL)


def test_no_improvement_pays_nothing() -> None:
    state = run(contract(), submit(value="0.25"), VERIFY)
    with pytest.raises(RuleViolated, match="no improvement"):
        sib.bill(state, BILL)


def test_a_result_needs_a_sha256_evidence_hash_and_a_known_metric() -> None:
    with pytest.raises(InvalidValue, match="SHA-256"):
        run(contract(), submit(evidence_hash="not-a-hash"))
    with pytest.raises(Exception, match="no metric"):
        run(contract(), submit(metric_id="unknown"))


def test_a_verified_result_cannot_be_replaced() -> None:
    state = run(contract(), submit(), VERIFY)
    with pytest.raises(InvalidTransition, match="verified already"):
        run(state, submit())


def test_reinvestments_are_at_most_the_outcome_payments_billed() -> None:
    state = run(contract(), submit(), VERIFY)
    state = sib.evolve(state, sib.bill(state, BILL)[0])

    def reinvest(reinvestment_id: str, cents: int) -> sib.RecordReinvestment:
        return sib.RecordReinvestment(contract_id="sib-1", reinvestment_id=reinvestment_id, amount_cents=cents,
                                      reinvested_on=date(2028, 8, 1), purpose="a new team")

    state = reduce(sib.evolve, sib.reinvest(state, reinvest("r1", 6_000_000)), state)
    assert (state.billed_cents, state.reinvested_cents) == (6_240_000, 6_000_000)
    with pytest.raises(InvalidTransition, match="only 240000 cents"):
        sib.reinvest(state, reinvest("r2", 240_001))
    with pytest.raises(AlreadyExists):
        sib.reinvest(state, reinvest("r1", 1))
    [last] = sib.reinvest(state, reinvest("r2", 240_000))
    assert isinstance(last, sib.OutcomePaymentReinvested) and last.amount_cents == 240_000
