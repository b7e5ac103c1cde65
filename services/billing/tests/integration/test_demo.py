"""The demo data: the Hämeenlinna outcome contract with its results and its billed, issued payment."""

from __future__ import annotations

import pytest
from billing_api import Api
from rinnalla_billing.demo import CONTRACT, load_demo
from rinnalla_events import Cursor

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
    document = (await api.get(f"/documents/{CONTRACT}-placements-2028", tenants=["109"])).json()
    assert document["issue"]["number"] == "2029000001"
