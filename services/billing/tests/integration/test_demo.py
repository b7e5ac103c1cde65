"""The demo data: the Hämeenlinna outcome contract with its results and its billed, issued payment, and two
years of invoices of enrollment's demo partnerships, written by the worker once enrollment's facts arrive."""

from __future__ import annotations

from datetime import date

import pytest
from billing_api import Api
from rinnalla_billing.demo import CONTRACT, HAMEENLINNA, VANTAA, load_demo
from rinnalla_events import Cursor
from rinnalla_events.testkit import eventually

pytestmark = pytest.mark.integration


async def test_the_demo_data_loads_twice_without_changing_anything_the_second_time(api: Api) -> None:
    await load_demo(api.billing)
    store = api.billing.runtime.store
    first = len(await store.read_all(Cursor(), limit=10_000))
    await load_demo(api.billing)
    assert len(await store.read_all(Cursor(), limit=10_000)) == first
    view = (await api.get(f"/sib-contracts/{CONTRACT}", user="fund.hameenlinna")).json()
    results = {r["period_id"]: r for r in view["results"]}
    assert results["2027"]["suppressed"] is True and results["2027"]["n"] is None
    assert (results["2028"]["status"], results["2028"]["payment_cents"]) == ("billed", 6_240_000)
    assert view["reinvested_cents"] == 2_000_000
    document = (await api.get(f"/documents/{CONTRACT}-placements-2028", tenants=["109"])).json()
    assert document["issue"]["number"] == "2029000001"


async def test_the_worker_invoices_the_demo_partnerships_for_two_years_once_enrollments_facts_arrive(
    api: Api,
) -> None:
    await load_demo(api.billing)  # as the stack does, before any worker runs: no facts, no agreements yet
    assert (await api.get(f"/agreements/{VANTAA}/documents")).json() == []
    await api.enrollment.partnership(VANTAA, {"team-092-2019-a": date(2025, 8, 20),
                                              "team-092-2019-b": date(2025, 8, 20)})
    await api.enrollment.partnership(HAMEENLINNA, {"team-109-2018-a": date(2024, 8, 20),
                                                   "team-109-2018-b": date(2024, 8, 20)}, municipality_code="109")
    await api.project()

    async def invoiced() -> bool:
        await api.project()
        rows = (await api.get(f"/agreements/{HAMEENLINNA}/documents", tenants=["109"])).json()
        return any(row["kind"] == "credit_note" and row["status"] == "issued" for row in rows)

    await eventually(invoiced, within=120)
    vantaa = await api.read(f"/agreements/{VANTAA}/documents")
    assert sorted({(row["run_period"], row["kind"], row["status"]) for row in vantaa}) == [
        (period, "invoice", "issued") for period in ("2025-H2", "2026-H1", "2026-H2", "2027-H1")
    ]
    assert sorted(row["payer_name"] for row in vantaa if row["run_period"] == "2026-H1") == [
        "Vantaan ja Keravan hyvinvointialue", "Vantaan kaupunki",
    ]
    # two teams, 30,000.00 EUR each per half-year, split 50/50
    assert [row["total_cents"] for row in vantaa if row["run_period"] == "2026-H1"] == [3_000_000, 3_000_000]
    hameenlinna = await api.read(f"/agreements/{HAMEENLINNA}/documents", tenants=["109"])
    invoices = [row for row in hameenlinna if row["kind"] == "invoice"]
    assert len(invoices) == 8 and {row["payer_name"] for row in invoices} == {"Hämeenlinnan kaupunki"}
    [credit] = [row for row in hameenlinna if row["kind"] == "credit_note"]
    [q2] = [row for row in invoices if row["run_period"] == "2026-Q2"]
    # the price review from April 2026 takes 1,500.00 EUR per team back from the 2026-Q2 invoice
    assert (credit["cites_number"], credit["total_cents"], credit["issued_on"]) == (
        q2["number"], 300_000, "2026-05-04")
    # loading the demo again (the next `stack up`) changes nothing
    store = api.billing.runtime.store
    events = len(await store.read_all(Cursor(), limit=10_000))
    await load_demo(api.billing)
    assert len(await store.read_all(Cursor(), limit=10_000)) == events
