"""SIB outcome contracts under /v1/sib-contracts: set up (finance), results submitted by the evaluator,
verified or disputed by the outcome payer's official, payments billed by finance (409 before a verified
result), and the fund's view: contract-level figures only, a result of fewer than 5 participants null."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from rinnalla_events import load
from rinnalla_security import Access, Action, NotFound, Role, authorize

from rinnalla_billing.adapters.dependencies import get_billing
from rinnalla_billing.adapters.errors import ERROR_RESPONSES
from rinnalla_billing.adapters.read_http import IdPath
from rinnalla_billing.application.deciders import DOCUMENT, SIB_CONTRACT
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain import sib

read_fund_view = authorize(
    Action.read("sib_contract"), roles={Role.SIB_FUND, Role.EVALUATOR, Role.FINANCE, Role.ADMIN},
    description="The contract's metrics against their counterfactuals, payments due and billed; n below 5 null",
)

FUND_VIEW_EXAMPLE: dict[str, Any] = {
    "contract_id": "sib-hameenlinna", "cohort_target": 40, "horizon_years": 12,
    "outcome_payer": "Kanta-Hämeen hyvinvointialue", "savings_beneficiary": "Kanta-Hämeen hyvinvointialue",
    "fund": "Vaikuttavuusrahasto I Ky", "evaluator": "Outcome Evaluation Institute",
    "results": [
        {"metric_id": "placements", "metric": "Placements outside the home avoided", "period_id": "2027",
         "status": "billed", "n": 32, "value": "0.06", "counterfactual": "0.19", "improvement": "0.13",
         "target": "0.10", "payment_cents": 6_240_000, "paid_cents": 6_240_000, "suppressed": False},
    ],
    "billed_cents": 6_240_000, "paid_cents": 6_240_000, "reinvested_cents": 2_000_000,
}


class FundResult(BaseModel):
    metric_id: str
    metric: str
    period_id: str
    status: str
    n: int | None
    value: Decimal | None
    counterfactual: Decimal | None
    improvement: Decimal | None
    target: Decimal
    payment_cents: int | None
    paid_cents: int | None
    suppressed: bool


class FundView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [FUND_VIEW_EXAMPLE]})

    contract_id: str
    cohort_target: int
    horizon_years: int
    outcome_payer: str
    savings_beneficiary: str
    fund: str
    evaluator: str
    results: list[FundResult]
    billed_cents: int
    paid_cents: int
    reinvested_cents: int


def fund_view(state: sib.SibState, paid: dict[str, int]) -> FundView:
    """`paid`: what the outcome payer has paid per outcome-payment document."""
    contract = state.contract
    assert contract is not None
    results: list[FundResult] = []
    for (metric_id, period_id), result in sorted(state.results.items()):
        metric = state.metric(metric_id)
        hidden = result.n < sib.SUPPRESSION_THRESHOLD
        results.append(
            FundResult(
                metric_id=metric_id, metric=metric.name, period_id=period_id, status=result.status.value,
                n=None if hidden else result.n, value=None if hidden else result.value,
                counterfactual=None if hidden else result.counterfactual,
                improvement=None if hidden else sib.improvement(metric, result.value, result.counterfactual),
                target=metric.target, payment_cents=result.payment_cents,
                paid_cents=paid.get(result.document_id, 0) if result.document_id else None, suppressed=hidden,
            )
        )
    return FundView(
        contract_id=contract.contract_id, cohort_target=contract.cohort_target,
        horizon_years=contract.horizon_years, outcome_payer=contract.outcome_payer.name,
        savings_beneficiary=contract.savings_beneficiary.name, fund=contract.fund.name,
        evaluator=contract.evaluator.name, results=results,
        billed_cents=state.billed_cents, paid_cents=sum(paid.values()), reinvested_cents=state.reinvested_cents,
    )


def sib_read_router() -> APIRouter:
    router = APIRouter(tags=["sib"])

    @router.get("/sib-contracts/{contract_id}", response_model=FundView, responses=ERROR_RESPONSES,
                summary="The contract's results against their counterfactuals and its payments (n < 5 null)")
    async def get_contract(
        contract_id: IdPath,
        access: Annotated[Access, Depends(read_fund_view)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> FundView:
        state, _ = await load(billing.runtime.store, SIB_CONTRACT, contract_id)
        if state.contract is None:
            raise NotFound()
        access.ensure_tenant(state.contract.municipality_code)
        paid: dict[str, int] = {}
        for result in state.results.values():
            if result.document_id is not None:
                document, _ = await load(billing.runtime.store, DOCUMENT, result.document_id)
                paid[result.document_id] = document.paid_cents
        return fund_view(state, paid)

    return router
