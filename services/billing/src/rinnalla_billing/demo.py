"""The demo data set: the Hämeenlinna outcome contract, with a result measured on 4 children (suppressed for
the fund), a verified result on 32 and its outcome payment, billed and issued, 20,000.00 EUR of it
reinvested; and two years of invoices of
enrollment's demo partnerships: Vantaa (half-yearly, split between the city and its wellbeing services
county, from 2025-H2) and Hämeenlinna (quarterly, paid by the city, from 2024-Q3), whose price was agreed
down from April 2026 after the quarter was invoiced, so a credit note cites that invoice.

Invoicing needs enrollment's facts (the partnerships' teams and their activation), which reach billing
through its worker's projection of enrollment's stream. The stack loads every service's demo data before
any worker runs, so the invoices are written by a worker job (`demo_invoicing`) once the projection shows
both demo partnerships with their teams active; `load_demo` writes them at once when the facts are already
there. Every command has a fixed idempotency key and fixed dates, so a second run changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from rinnalla_events import CommandWriter, EventMetadata, Idempotency, Outcome, fingerprint, load

from rinnalla_billing.application import handlers as h
from rinnalla_billing.application.deciders import SIB_CONTRACT
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import sib
from rinnalla_billing.domain.periods import Frequency, period_of
from rinnalla_billing.domain.values import PayerKind, PayerTerms, Seller

ACTOR = "demo-loader"
CONTRACT = "sib-109-hameenlinna"

FUND = Seller(name="Vaikuttavuusrahasto I Ky", business_id="0245437-2", peppol_id="0216:003702454372",
              iban="FI4950009420028730", bic="OKOYFIHH")
COUNTY = PayerTerms(
    payer_id="county", kind=PayerKind.WELLBEING_SERVICES_COUNTY, name="Kanta-Hämeen hyvinvointialue",
    business_id="3221308-6", share_basis_points=10_000, peppol_id="0216:003732213086", buyer_reference="KHHYVA-SIB-1",
)


SELLER = Seller(name="Icehearts ry", business_id="2228357-4", peppol_id="0216:003722283574",
                iban="FI2112345600000785", bic="NDEAFIHH")
VANTAA = "partnership-092-vantaa"
HAMEENLINNA = "partnership-109-hameenlinna"
VANTAA_PAYERS = (
    PayerTerms(payer_id="city", kind=PayerKind.MUNICIPALITY, name="Vantaan kaupunki", business_id="0124610-9",
               share_basis_points=5_000, peppol_id="0216:003701246109", buyer_reference="VANTAA-KASVATUS-42"),
    PayerTerms(payer_id="county", kind=PayerKind.WELLBEING_SERVICES_COUNTY,
               name="Vantaan ja Keravan hyvinvointialue", business_id="3221366-8", share_basis_points=5_000,
               peppol_id="0216:003732213668", buyer_reference="VAKE-LASTENSUOJELU-7"),
)
HAMEENLINNA_PAYERS = (
    PayerTerms(payer_id="city", kind=PayerKind.MUNICIPALITY, name="Hämeenlinnan kaupunki", business_id="0139984-2",
               share_basis_points=10_000, peppol_id="0216:003701399842", buyer_reference="HML-HYVINVOINTI-12"),
)
VANTAA_PERIODS = ("2025-H2", "2026-H1", "2026-H2", "2027-H1")
HAMEENLINNA_PERIODS = tuple(f"{year}-Q{q}" for year, q in (
    (2024, 3), (2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2)))
AGREEMENTS = (
    c.SetUpAgreement(agreement_id=VANTAA, seller=SELLER, frequency=Frequency.HALF_YEARLY, payers=VANTAA_PAYERS,
                     valid_from=date(2025, 8, 1)),
    c.SetUpAgreement(agreement_id=HAMEENLINNA, seller=SELLER, frequency=Frequency.QUARTERLY,
                     payers=HAMEENLINNA_PAYERS, valid_from=date(2024, 8, 1)),
)
# From April 2026 Hämeenlinna pays 54,000.00 EUR per team and year; agreed after 2026-Q2 was invoiced.
PRICE_REVIEW = c.AmendAgreement(agreement_id=HAMEENLINNA, effective_from=date(2026, 4, 1),
                                price_per_team_cents=5_400_000, reason="price agreed in the mid-term review")
PRICE_REVIEW_ON = date(2026, 5, 4)
FACTS_POLL_SECONDS = 1.0


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
    await _sib_contract(billing)
    await invoice_partnerships(billing)


async def _facts_ready(billing: Billing) -> bool:
    """Whether billing's projection of enrollment shows both demo partnerships with all their teams active."""
    for agreement in AGREEMENTS:
        facts = await billing.facts.partnership(agreement.agreement_id)
        if facts is None or facts.team_count == 0 or len(facts.teams) < facts.team_count:
            return False
        if any(team.activated_on is None for team in facts.teams):
            return False
    return True


async def invoice_partnerships(billing: Billing) -> bool:
    """Sets up both agreements and invoices two years of each, in the order of the issue dates (an invoice is
    issued on the first day of its period), then the Hämeenlinna price review and its credit note. Does
    nothing and answers False while enrollment's facts have not reached billing."""
    if not await _facts_ready(billing):
        return False
    for agreement in AGREEMENTS:
        await _run(billing, f"agreement.{agreement.agreement_id}", _with_facts(billing, h.set_up_agreement), agreement)
    runs = sorted(
        [(period_of(Frequency.HALF_YEARLY, label).start, VANTAA, label) for label in VANTAA_PERIODS]
        + [(period_of(Frequency.QUARTERLY, label).start, HAMEENLINNA, label) for label in HAMEENLINNA_PERIODS]
    )
    for day, agreement_id, label in runs:
        drafted = await _run(billing, f"run.{agreement_id}.{label}", _with_facts(billing, h.draft),
                             c.DraftInvoices(agreement_id=agreement_id, period=label, today=day))
        await _issue(billing, drafted, day)
    await _run(billing, "amend.hameenlinna-price-review", h.change_agreement, PRICE_REVIEW)
    corrected = await _run(billing, "corrections.hameenlinna-price-review", _with_facts(billing, h.draft),
                           c.DraftCorrections(agreement_id=HAMEENLINNA, today=PRICE_REVIEW_ON))
    await _issue(billing, corrected, PRICE_REVIEW_ON)
    return True


def _with_facts(billing: Billing, handler: Callable[..., Awaitable[Outcome]]) -> Callable[..., Awaitable[Outcome]]:
    async def run(writer: CommandWriter, guard: _Everywhere, command: Any) -> Outcome:
        return await handler(writer, guard, billing.facts, command)

    return run


async def _issue(billing: Billing, drafted: Outcome, day: date) -> None:
    for document_id in drafted.result.get("documents", []):
        await _run(billing, f"issue.{document_id}", h.issue_document,
                   c.IssueDocument(document_id=str(document_id), today=day))


async def demo_invoicing(billing: Billing, stop: asyncio.Event) -> None:
    """The worker job that invoices the demo partnerships once enrollment's facts have reached billing's
    projection (the worker's own projection runner applies them), then idles until the worker stops. Only
    where billing's own demo data was loaded (its outcome contract exists): a database without it, a
    production one, is never invoiced by the demo."""
    contract, _ = await load(billing.runtime.store, SIB_CONTRACT, CONTRACT)
    while contract.exists and not stop.is_set():
        if await invoice_partnerships(billing):
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), FACTS_POLL_SECONDS)
    await stop.wait()


async def _sib_contract(billing: Billing) -> None:
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
    await _run(billing, "sib.reinvest-2029", h.record_reinvestment, sib.RecordReinvestment(
        contract_id=CONTRACT, reinvestment_id="2029-next-cohort", amount_cents=2_000_000,
        reinvested_on=date(2029, 8, 1), purpose="a third team for the next cohort"))
