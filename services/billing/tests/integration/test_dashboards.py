"""The billing dashboard's panels: each panel's SQL runs as the read-only Grafana role over the views, and
that role reads no table of the read models or the event store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from billing_api import Api, FixedClock
from rinnalla_billing.demo import CONTRACT, load_demo
from test_finance_reads import invoiced_with_a_credit

pytestmark = pytest.mark.integration

DASHBOARDS = Path(__file__).parents[4] / "deploy" / "grafana" / "dashboards"
BILLING_DASHBOARDS = [DASHBOARDS / "finance" / "billing.json", DASHBOARDS / "sib-fund-and-evaluator" / "outcomes.json"]


def panel_sql() -> list[tuple[str, str]]:
    return [
        (panel["title"], target["rawSql"])
        for path in BILLING_DASHBOARDS
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]
        for target in panel["targets"]
    ]


async def test_every_panel_runs_as_the_grafana_role(api: Api, clock: FixedClock) -> None:
    await invoiced_with_a_credit(api, clock)
    answers: dict[str, list[dict[str, object]]] = {}
    async with api.billing.runtime.connections.acquire() as conn:
        for title, sql in panel_sql():
            async with conn.transaction():
                await conn.execute("SET LOCAL ROLE grafana_reader")
                answers[title] = [dict(row) for row in await conn.fetch(sql)]
    assert len(answers) == 7
    charges = answers["What each payer pays per team and period (EUR)"]
    assert {(row["team_name"], row["period"]) for row in charges} == {
        ("Team t1", "2026-Q2"), ("Team t2", "2026-Q2"), ("Team t1", "2026-Q3"),
    }
    assert sum(float(str(row["net_eur"])) for row in charges) == 30_000.0  # Q2 less the credit, and Q3
    assert answers["Open receivables by age (EUR)"]


async def test_the_outcome_contract_panels_suppress_results_below_5_and_show_what_was_reinvested(api: Api) -> None:
    await load_demo(api.billing)  # the outcome contract: results on 4 and 32, one billed, part reinvested
    await api.project()
    answers: dict[str, list[dict[str, object]]] = {}
    async with api.billing.runtime.connections.acquire() as conn:
        for title, sql in panel_sql():
            if "Outcome" in title:
                async with conn.transaction():
                    await conn.execute("SET LOCAL ROLE grafana_reader")
                    answers[title] = [dict(row) for row in await conn.fetch(sql)]
    results = {row["period_id"]: row for row in answers[
        "Outcome results against their counterfactuals (n below 5 suppressed)"]}
    small, large = results["2027"], results["2028"]
    assert [small[k] for k in ("n", "value", "counterfactual", "improvement", "payment_eur")] == [None] * 5
    assert (large["n"], str(large["improvement"]), large["status"], float(str(large["payment_eur"]))) == (
        32, "0.13", "billed", 62_400.0)
    [contract] = answers["Outcome contracts: billed, paid and reinvested (EUR)"]
    assert contract["contract_id"] == CONTRACT
    assert (float(str(contract["billed_eur"])), float(str(contract["reinvested_eur"]))) == (62_400.0, 20_000.0)


async def test_the_grafana_role_reads_the_views_only(api: Api) -> None:
    await api.project()
    async with api.billing.runtime.connections.acquire() as conn:
        tables = await conn.fetchval(
            "SELECT bool_or(has_table_privilege('grafana_reader', c.oid, 'SELECT')) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'billing' AND c.relkind = 'r'"
        )
        privilege = "SELECT has_table_privilege('grafana_reader', $1, 'SELECT')"
        view = await conn.fetchval(privilege, "billing_read.v_receivables")
        stable = await conn.fetchval(privilege, "billing_read.documents")
    assert (tables, view, stable) == (False, True, False)
