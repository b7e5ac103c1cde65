"""The demo data set billing can write on its own: the Hämeenlinna outcome contract, with a result measured
on 4 children (suppressed for the fund), a verified result on 32 and its outcome payment, billed and issued.

Partnership invoicing needs enrollment's facts (the partnership's teams and their activation), which reach
billing through its worker, after the demo data is written; the enrollment demo activates no team. Every
command has a fixed idempotency key and fixed dates, so a second run changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from rinnalla_events import CommandWriter, EventMetadata, Idempotency, Outcome, fingerprint

from rinnalla_billing.application import handlers as h
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import sib
from rinnalla_billing.domain.values import PayerKind, PayerTerms, Seller

ACTOR = "demo-loader"
CONTRACT = "sib-109-hameenlinna"

FUND = Seller(name="Vaikuttavuusrahasto I Ky", business_id="0245437-2", peppol_id="0216:003702454372",
              iban="FI4950009420028730", bic="OKOYFIHH")
COUNTY = PayerTerms(
    payer_id="county", kind=PayerKind.WELLBEING_SERVICES_COUNTY, name="Kanta-Hämeen hyvinvointialue",
    business_id="3221308-6", share_basis_points=10_000, peppol_id="0216:003732213086", buyer_reference="KHHYVA-SIB-1",
)


def _evidence(period: str) -> str:
    """The SHA-256 of the (demo) evidence package of a measurement period."""
    return hashlib.sha256(f"demo evidence package {CONTRACT} {period}".encode()).hexdigest()


class _Everywhere:
    def tenant(self, municipality_code: str) -> None:
        """The demo loader acts for every municipality."""


async def _run(billing: Billing, key: str, handler: Callable[..., Awaitable[Outcome]], command: Any) -> Outcome:
    idempotency = Idempotency(f"{ACTOR}:{key}", fingerprint(command.model_dump(mode="json")))
    writer: CommandWriter = billing.writer(EventMetadata(actor=ACTOR), idempotency)
    return await writer.previous() or await handler(writer, _Everywhere(), command)


async def load_demo(billing: Billing) -> None:
    await _run(billing, "sib.set-up", h.set_up_sib_contract, sib.SetUpSibContract(
        contract_id=CONTRACT, municipality_code="109", outcome_payer=COUNTY,
        savings_beneficiary=sib.Party(name="Kanta-Hämeen hyvinvointialue", business_id="3221308-6"),
        fund=FUND, providers=(sib.Party(name="Icehearts ry", business_id="2228357-4"),),
        evaluator=sib.Party(name="Outcome Evaluation Institute"), cohort_target=40, horizon_years=12,
        metrics=(sib.Metric(
            metric_id="placements", name="Placements outside the home avoided", method=sib.Method.COUNTERFACTUAL,
            higher_is_better=False, target="0.10", value_per_unit_cents=15_000_000,
            payment_share_basis_points=1_000, cap_cents=20_000_000,
        ),),
        periods=(
            sib.MeasurementPeriod(period_id="2027", start=date(2027, 1, 1), end=date(2027, 12, 31)),
            sib.MeasurementPeriod(period_id="2028", start=date(2028, 1, 1), end=date(2028, 12, 31)),
        ),
    ))
    await _run(billing, "sib.result-2027", h.on_sib_result, sib.SubmitResult(
        contract_id=CONTRACT, metric_id="placements", period_id="2027", value="0.05", counterfactual="0.20", n=4,
        evidence_hash=_evidence("2027")))
    await _run(billing, "sib.result-2028", h.on_sib_result, sib.SubmitResult(
        contract_id=CONTRACT, metric_id="placements", period_id="2028", value="0.06", counterfactual="0.19", n=32,
        evidence_hash=_evidence("2028")))
    await _run(billing, "sib.verify-2028", h.on_sib_result, sib.VerifyResult(
        contract_id=CONTRACT, metric_id="placements", period_id="2028"))
    billed = await _run(billing, "sib.bill-2028", h.bill_outcome_payment, sib.BillOutcomePayment(
        contract_id=CONTRACT, metric_id="placements", period_id="2028"))
    for document_id in billed.result.get("documents", []):
        await _run(billing, f"issue.{document_id}", h.issue_document,
                   c.IssueDocument(document_id=str(document_id), today=date(2029, 2, 1)))
