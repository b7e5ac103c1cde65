"""Reads over the documents read model: ageing and dunning for finance, what each payer pays per team and
period for the municipality and the county."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rinnalla_events import ConnectionSource

from rinnalla_billing.projections.documents import STATUS_SQL
from rinnalla_billing.projections.tables import CHILD_YEAR_DAYS, READ_SCHEMA, SUPPRESSION_THRESHOLD, TEAM_CHILD_DAYS

BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")


def bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "1_30"
    if days_overdue <= 60:
        return "31_60"
    if days_overdue <= 90:
        return "61_90"
    return "over_90"


def reminder_level(days_overdue: int) -> int:
    """0 none; 1 a payment reminder after 7 days overdue; 2 a second reminder after 21 days; 3 to collection
    after 45 days. These are the service's defaults between public bodies, not a reading of the law."""
    if days_overdue > 45:
        return 3
    if days_overdue > 21:
        return 2
    if days_overdue > 7:
        return 1
    return 0


async def outstanding(connections: ConnectionSource, tenants: Sequence[str], as_of: date) -> list[dict[str, Any]]:
    """Issued invoices with something left to pay on `as_of`: what is left, and how many days overdue."""
    async with connections.acquire() as conn:
        rows = await conn.fetch(
            f"""SELECT document_id, number, payer_id, payer_name, payer_business_id, issued_on, due_on,
                       total_cents + vat_cents AS gross_cents, paid_cents, credited_cents,
                       total_cents + vat_cents - credited_cents - paid_cents AS open_cents,
                       {STATUS_SQL} AS status
                  FROM {READ_SCHEMA}.documents
                 WHERE kind = 'invoice' AND issued_on IS NOT NULL AND issued_on <= $1
                   AND municipality_code = ANY($2::text[])
                   AND total_cents + vat_cents - credited_cents - paid_cents > 0
                 ORDER BY due_on, number""",
            as_of, list(tenants),
        )
    return [{**dict(row), "days_overdue": max(0, (as_of - row["due_on"]).days)} for row in rows]


async def payer_charges(
    connections: ConnectionSource, tenants: Sequence[str], business_id: str
) -> list[dict[str, Any]]:
    """Per team and period, what the payer was invoiced net of credit notes (issued documents only)."""
    async with connections.acquire() as conn:
        rows = await conn.fetch(
            f"""SELECT l.team_id, max(l.team_name) AS team_name, l.period, min(l.period_start) AS period_start,
                       max(l.period_end) AS period_end,
                       sum(CASE WHEN d.kind = 'credit_note' THEN -abs(l.amount_cents) ELSE l.amount_cents END)
                           AS net_cents,
                       array_agg(d.number ORDER BY d.feed_seq) AS documents
                  FROM {READ_SCHEMA}.document_lines l
                  JOIN {READ_SCHEMA}.documents d ON d.document_id = l.document_id
                 WHERE d.payer_business_id = $1 AND d.issued_on IS NOT NULL
                   AND d.municipality_code = ANY($2::text[])
                 GROUP BY l.team_id, l.period
                 ORDER BY min(l.period_start), l.team_id""",
            business_id, list(tenants),
        )
    return [dict(row) for row in rows]


async def team_cost(connections: ConnectionSource, team_id: str) -> dict[str, Any] | None:
    """The team (from enrollment's facts) and what was invoiced for it, net of credit notes, all payers."""
    async with connections.acquire() as conn:
        team = await conn.fetchrow(
            f"SELECT team_id, name, municipality_code, activated_on, ended_on FROM {READ_SCHEMA}.teams"
            " WHERE team_id = $1",
            team_id,
        )
        if team is None:
            return None
        invoiced = await conn.fetchval(
            f"""SELECT coalesce(sum(CASE WHEN d.kind = 'credit_note' THEN -abs(l.amount_cents)
                                          ELSE l.amount_cents END), 0)
                  FROM {READ_SCHEMA}.document_lines l
                  JOIN {READ_SCHEMA}.documents d ON d.document_id = l.document_id
                 WHERE l.team_id = $1 AND d.issued_on IS NOT NULL AND d.agreement_id NOT LIKE 'sib:%'""",
            team_id,
        )
    return {**dict(team), "invoiced_cents": int(invoiced)}


async def cost_per_child_year(
    connections: ConnectionSource, tenants: Sequence[str], business_id: str
) -> list[dict[str, Any]]:
    """Per team the payer was invoiced for: the net invoiced, and (from 5 children up) the team's child-years
    over the invoiced periods and the payer's cost per child-year, in cents rounded half up."""
    async with connections.acquire() as conn:
        rows = await conn.fetch(
            f"""SELECT team_id, team_name, first_day, last_day, net_cents, children, child_days
                  FROM ({TEAM_CHILD_DAYS}) counted
                 WHERE payer_business_id = $1 AND municipality_code = ANY($2::text[])
                 ORDER BY team_name, team_id""",
            business_id, list(tenants),
        )
    answers: list[dict[str, Any]] = []
    for row in rows:
        shown = row["children"] >= SUPPRESSION_THRESHOLD
        child_years = Decimal(row["child_days"]) / Decimal(CHILD_YEAR_DAYS)
        cost = (
            int((Decimal(row["net_cents"]) * Decimal(CHILD_YEAR_DAYS) / Decimal(row["child_days"])).quantize(
                Decimal(1), ROUND_HALF_UP))
            if shown and row["child_days"] > 0 else None
        )
        answers.append({
            "team_id": row["team_id"], "team_name": row["team_name"], "first_day": row["first_day"],
            "last_day": row["last_day"], "net_cents": int(row["net_cents"]), "suppressed": not shown,
            "children": int(row["children"]) if shown else None,
            "child_years": child_years.quantize(Decimal("0.01"), ROUND_HALF_UP) if shown else None,
            "cost_per_child_year_cents": cost,
        })
    return answers
