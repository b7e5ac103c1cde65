"""Cost per child-year for the municipality and the county, through HTTP and as the Grafana role: billing
counts each team's children per day from enrollment's children's events (no child's id kept) and divides
what each payer was invoiced for the team by the team's child-years; fewer than 5 children shows nothing."""

from __future__ import annotations

from datetime import date

import pytest
from billing_api import Api
from test_invoicing_scenarios import issue_run, partnership_with_agreement

pytestmark = pytest.mark.integration

CITY = "0124610-9"
COUNTY = "3221366-8"


async def children_join_and_move(api: Api) -> None:
    """Team t1: five children from 1 January 2026 and one from 1 February, one of whom moves to t2 on
    1 April; t2: two children."""
    for n in range(1, 9):
        await api.enrollment.publish("child", f"c{n}", "ChildEnrolled", {
            "child_id": f"c{n}", "team_id": "t1" if n <= 6 else "t2",
            "enrolled_on": "2026-02-01" if n == 6 else "2026-01-01"})
    await api.enrollment.publish("child", "c6", "ChildTransferred", {
        "child_id": "c6", "from_team_id": "t1", "to_team_id": "t2", "transferred_on": "2026-04-01",
        "reason": "moved"})


async def test_each_payer_sees_its_cost_per_child_year_and_small_teams_are_suppressed(api: Api) -> None:
    await partnership_with_agreement(api, "half_yearly", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    await children_join_and_move(api)
    await issue_run(api, "2026-H1")
    await api.project()
    city = await api.read(f"/payers/{CITY}/cost-per-child-year", user="official.vantaa")
    t1, t2 = city
    # t1: 5 x 181 child-days and 150 from February, less 91 days of the child who moved: 964 child-days,
    # 2.64 child-years; the city paid 15,000.00 EUR for it: 15,000.00 x 365.25 / 964 = 5,683.35 EUR a child-year
    assert (t1["team_id"], t1["net_cents"], t1["children"], t1["child_years"]) == ("t1", 1_500_000, 6, "2.64")
    assert (t1["first_day"], t1["last_day"], t1["cost_per_child_year_cents"]) == (
        "2026-01-01", "2026-06-30", 568_335)
    # t2 had three children: the amount only
    assert (t2["team_id"], t2["net_cents"], t2["suppressed"]) == ("t2", 1_500_000, True)
    assert (t2["children"], t2["child_years"], t2["cost_per_child_year_cents"]) == (None, None, None)
    county = await api.read(f"/payers/{COUNTY}/cost-per-child-year", user="official.vantaa")
    assert [row["cost_per_child_year_cents"] for row in county] == [568_335, None]
    # another municipality's official sees nothing of Vantaa's
    assert await api.read(f"/payers/{CITY}/cost-per-child-year", user="official.vantaa", tenants=["109"]) == []
    async with api.billing.runtime.connections.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE grafana_reader")
        rows = await conn.fetch(
            "SELECT payer_name, team_id, suppressed, children, child_years, cost_per_child_year_eur"
            " FROM billing_read.v_cost_per_child_year ORDER BY payer_name, team_id")
        can_read_counts = await conn.fetchval(
            "SELECT has_table_privilege('grafana_reader', 'billing_read.headcount_changes', 'SELECT')")
    assert [(r["team_id"], r["suppressed"], r["children"], str(r["child_years"]),
             str(r["cost_per_child_year_eur"])) for r in rows] == [
        ("t1", False, 6, "2.64", "5683.35"), ("t2", True, None, "None", "None"),
    ] * 2
    assert can_read_counts is False
