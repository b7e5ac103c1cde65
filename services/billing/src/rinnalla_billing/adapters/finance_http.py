"""Finance's and the payers' reads under /v1: receivables by age, the dunning list, and what a
municipality or county pays for which team and period, and its cost per child-year. From the read model
(eventually consistent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict
from rinnalla_security import Access, Action, NotFound, Role, authorize

from rinnalla_billing.adapters.dependencies import get_billing
from rinnalla_billing.adapters.errors import ERROR_RESPONSES
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain.savings import (
    DEFAULT_HORIZON_YEARS,
    DEFAULT_SAVINGS_PER_TEAM_CENTS,
    SavingsModel,
    accrued_savings,
)
from rinnalla_billing.projections import queries

read_receivables = authorize(
    Action.read("receivables"), roles={Role.FINANCE, Role.ADMIN},
    description="Open invoices by age and the reminders due",
)
read_payer_charges = authorize(
    Action.read("payer_charges"), roles={Role.MUNICIPALITY_OFFICIAL, Role.FINANCE, Role.ADMIN},
    description="What a payer was invoiced per team and period, net of credit notes",
)

OPEN_EXAMPLE: dict[str, Any] = {
    "document_id": "p-vantaa-2026-H1-r1-1", "number": "2026000001", "payer_name": "Vantaan kaupunki",
    "payer_business_id": "0124610-9", "issued_on": "2026-01-02", "due_on": "2026-01-23", "gross_cents": 3_000_000,
    "paid_cents": 1_000_000, "credited_cents": 0, "open_cents": 2_000_000, "days_overdue": 39,
    "bucket": "31_60", "reminder_level": 2,
}


class OpenInvoice(BaseModel):
    document_id: str
    number: str
    payer_name: str
    payer_business_id: str
    issued_on: date
    due_on: date
    gross_cents: int
    paid_cents: int
    credited_cents: int
    open_cents: int
    days_overdue: int
    bucket: str
    reminder_level: int


class Ageing(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "as_of": "2026-03-03", "buckets": {"not_due": 0, "1_30": 0, "31_60": 2_000_000, "61_90": 0, "over_90": 0},
        "open_cents": 2_000_000, "invoices": [OPEN_EXAMPLE],
    }]})

    as_of: date
    buckets: dict[str, int]
    open_cents: int
    invoices: list[OpenInvoice]


class Dunning(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"as_of": "2026-03-03", "reminders": [OPEN_EXAMPLE]}]})

    as_of: date
    reminders: list[OpenInvoice]


class PayerCharge(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "team_id": "team-092-2019-a", "team_name": "Vantaa 2019 A", "period": "2026-H1",
        "period_start": "2026-01-01", "period_end": "2026-06-30", "net_cents": 1_500_000,
        "documents": ["2026000001"],
    }]})

    team_id: str
    team_name: str
    period: str
    period_start: date
    period_end: date
    net_cents: int
    documents: list[str]


class TeamCost(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "team_id": "team-092-2019-a", "team_name": "Vantaa 2019 A", "activated_on": "2025-08-01", "ended_on": None,
        "as_of": "2026-07-31", "invoiced_cents": 6_000_000, "savings_model_cents": 280_000_000, "horizon_years": 12,
        "accrued_savings_cents": 23_333_333, "net_benefit_cents": 17_333_333,
    }]})

    team_id: str
    team_name: str
    activated_on: date | None
    ended_on: date | None
    as_of: date
    invoiced_cents: int
    savings_model_cents: int
    horizon_years: int
    accrued_savings_cents: int
    net_benefit_cents: int


async def _open(billing: Billing, access: Access, as_of: date | None) -> tuple[date, list[OpenInvoice]]:
    day = as_of or billing.today()
    rows = await queries.outstanding(billing.runtime.connections, sorted(access.principal.tenants), day)
    return day, [
        OpenInvoice.model_validate({
            **row, "bucket": queries.bucket(row["days_overdue"]),
            "reminder_level": queries.reminder_level(row["days_overdue"]),
        })
        for row in rows
    ]


CHILD_YEAR_EXAMPLE: dict[str, Any] = {
    "team_id": "team-092-2019-a", "team_name": "Vantaa 2019 A", "first_day": "2025-07-01",
    "last_day": "2027-06-30", "net_cents": 5_500_000, "suppressed": False, "children": 10, "child_years": "18.5",
    "cost_per_child_year_cents": 297_297,
}


class ChildYearCost(BaseModel):
    """The payer's cost per child-year of a team, over the periods it was invoiced for the team; a team of
    fewer than 5 children shows the amount only."""

    model_config = ConfigDict(json_schema_extra={"examples": [CHILD_YEAR_EXAMPLE]})

    team_id: str
    team_name: str
    first_day: date
    last_day: date
    net_cents: int
    suppressed: bool
    children: int | None
    child_years: Decimal | None
    cost_per_child_year_cents: int | None


def finance_router() -> APIRouter:
    router = APIRouter(tags=["finance"])

    @router.get("/finance/ageing", response_model=Ageing, responses=ERROR_RESPONSES,
                summary="Open invoices by days overdue (not due, 1-30, 31-60, 61-90, over 90)")
    async def ageing(
        access: Annotated[Access, Depends(read_receivables)],
        billing: Annotated[Billing, Depends(get_billing)],
        as_of: Annotated[date | None, Query(description="the day to age at; today by default")] = None,
    ) -> Ageing:
        day, invoices = await _open(billing, access, as_of)
        buckets = dict.fromkeys(queries.BUCKETS, 0)
        for invoice in invoices:
            buckets[invoice.bucket] += invoice.open_cents
        return Ageing(as_of=day, buckets=buckets, open_cents=sum(buckets.values()), invoices=invoices)

    @router.get("/finance/dunning", response_model=Dunning, responses=ERROR_RESPONSES,
                summary="Overdue invoices that call for a reminder, with its level")
    async def dunning(
        access: Annotated[Access, Depends(read_receivables)],
        billing: Annotated[Billing, Depends(get_billing)],
        as_of: Annotated[date | None, Query(description="the day to look at; today by default")] = None,
    ) -> Dunning:
        day, invoices = await _open(billing, access, as_of)
        return Dunning(as_of=day, reminders=[i for i in invoices if i.reminder_level > 0])

    @router.get("/payers/{business_id}/charges", response_model=list[PayerCharge], responses=ERROR_RESPONSES,
                summary="What the payer was invoiced per team and period, net of credit notes")
    async def charges(
        business_id: Annotated[str, Path(pattern=r"^\d{7}-\d$", description="the payer's Y-tunnus")],
        access: Annotated[Access, Depends(read_payer_charges)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> list[PayerCharge]:
        rows = await queries.payer_charges(billing.runtime.connections, sorted(access.principal.tenants), business_id)
        return [PayerCharge.model_validate(row) for row in rows]

    @router.get("/payers/{business_id}/cost-per-child-year", response_model=list[ChildYearCost],
                responses=ERROR_RESPONSES,
                summary="Per team: what the payer was invoiced, its cost per child-year (under 5 children: null)")
    async def child_year_costs(
        business_id: Annotated[str, Path(pattern=r"^\d{7}-\d$", description="the payer's Y-tunnus")],
        access: Annotated[Access, Depends(read_payer_charges)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> list[ChildYearCost]:
        rows = await queries.cost_per_child_year(
            billing.runtime.connections, sorted(access.principal.tenants), business_id
        )
        return [ChildYearCost.model_validate(row) for row in rows]

    @router.get("/teams/{team_id}/cost-and-savings", response_model=TeamCost, responses=ERROR_RESPONSES,
                summary="The team's cumulative cost against the savings model (2.8 million EUR over 12 years)")
    async def cost_and_savings(
        team_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")],
        access: Annotated[Access, Depends(read_payer_charges)],
        billing: Annotated[Billing, Depends(get_billing)],
        as_of: Annotated[date | None, Query(description="today by default")] = None,
        savings_per_team_cents: Annotated[int, Query(gt=0)] = DEFAULT_SAVINGS_PER_TEAM_CENTS,
        horizon_years: Annotated[int, Query(gt=0, le=30)] = DEFAULT_HORIZON_YEARS,
    ) -> TeamCost:
        row = await queries.team_cost(billing.runtime.connections, team_id)
        if row is None:
            raise NotFound()
        access.ensure_tenant(row["municipality_code"])
        day = as_of or billing.today()
        model = SavingsModel(savings_per_team_cents, horizon_years)
        accrued = accrued_savings(model, row["activated_on"], day)
        return TeamCost(
            team_id=team_id, team_name=row["name"], activated_on=row["activated_on"], ended_on=row["ended_on"],
            as_of=day, invoiced_cents=row["invoiced_cents"], savings_model_cents=savings_per_team_cents,
            horizon_years=horizon_years, accrued_savings_cents=accrued,
            net_benefit_cents=accrued - row["invoiced_cents"],
        )

    return router
