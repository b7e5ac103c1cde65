"""Finance's reads (ageing, dunning), the payers' view per team and period, and a rebuild of the read
models that ends where the live projection stood."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from billing_api import Api, FixedClock
from billing_builders import agreement_body
from rinnalla_billing.main import service

pytestmark = pytest.mark.integration


async def invoiced_with_a_credit(api: Api, clock: FixedClock) -> None:
    await api.enrollment.partnership("p-vantaa", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    await api.project()
    await api.ok("/agreements/p-vantaa", agreement_body(frequency="quarterly"))
    clock.set(date(2026, 4, 1))
    for document_id in (await api.ok("/agreements/p-vantaa/runs", {"period": "2026-Q2"}))["documents"]:
        await api.ok(f"/documents/{document_id}/issue")
    await api.enrollment.terminate("t2", date(2026, 3, 31))
    await api.project()
    clock.set(date(2026, 7, 1))
    for document_id in (await api.ok("/agreements/p-vantaa/runs", {"period": "2026-Q3"}))["documents"]:
        await api.ok(f"/documents/{document_id}/issue")
    await api.project()


async def test_ageing_and_dunning(api: Api, clock: FixedClock) -> None:
    await invoiced_with_a_credit(api, clock)
    ageing = await api.read("/finance/ageing", params={"as_of": "2026-07-01"})
    # Q2: 15,000.00 to each payer, due 22 April, half credited: 7,500.00 open each, 70 days overdue
    q2 = [i for i in ageing["invoices"] if i["issued_on"] == "2026-04-01"]
    assert [(i["open_cents"], i["days_overdue"], i["bucket"]) for i in q2] == [(750_000, 70, "61_90")] * 2
    assert ageing["buckets"]["61_90"] == 1_500_000
    assert ageing["buckets"]["not_due"] == 1_500_000  # the Q3 invoices, issued today
    assert ageing["open_cents"] == 3_000_000
    first = q2[0]
    await api.ok(f"/documents/{first['document_id']}/payments",
                 {"payment_id": "erp-1", "amount_cents": 750_000, "paid_on": "2026-07-01"})
    await api.project()
    dunning = await api.read("/finance/dunning", params={"as_of": "2026-07-01"})
    assert [(r["number"], r["reminder_level"]) for r in dunning["reminders"]] == [(q2[1]["number"], 3)]
    assert (await api.get("/finance/ageing", user="erp.vantaa")).status_code == 403


async def test_what_each_payer_pays_per_team_and_period(api: Api, clock: FixedClock) -> None:
    await invoiced_with_a_credit(api, clock)
    charges = await api.read("/payers/0124610-9/charges", user="official.vantaa")
    assert [(c["team_id"], c["period"], c["net_cents"]) for c in charges] == [
        ("t1", "2026-Q2", 750_000), ("t2", "2026-Q2", 0), ("t1", "2026-Q3", 750_000),
    ]
    assert len(charges[1]["documents"]) == 2  # the invoice and the credit note citing it


async def read_models(api: Api) -> dict[str, list[Any]]:
    async with api.billing.runtime.connections.acquire() as conn:
        return {
            table: [dict(r) for r in await conn.fetch(f"SELECT * FROM billing_read.{table} ORDER BY 1, 2")]
            for table in ("documents", "document_lines", "payments", "partnerships", "teams")
        }


async def test_a_rebuild_ends_where_the_live_projection_stands(api: Api, clock: FixedClock) -> None:
    await invoiced_with_a_credit(api, clock)
    await api.ok(f"/documents/{(await api.read('/erp/feed'))['documents'][0]['document_id']}/payments",
                 {"payment_id": "erp-9", "amount_cents": 100, "paid_on": "2026-07-02"})
    await api.project()
    live = await read_models(api)
    for name in ("documents", "enrollment_facts"):
        progress: list[tuple[int, int]] = []

        def note(done: int, total: int, seen: list[tuple[int, int]] = progress) -> None:
            seen.append((done, total))

        await service().rebuild_projection(api.worker.settings, name, note)
        assert progress and progress[-1][0] == progress[-1][1] > 0
    assert await read_models(api) == live


async def test_a_team_s_cost_against_the_savings_model(api: Api, clock: FixedClock) -> None:
    await invoiced_with_a_credit(api, clock)
    cost = await api.read("/teams/t1/cost-and-savings", user="official.vantaa", params={"as_of": "2026-07-01"})
    assert cost["invoiced_cents"] == 3_000_000  # Q2 and Q3, both payers
    assert cost["savings_model_cents"] == 280_000_000 and cost["horizon_years"] == 12
    assert cost["accrued_savings_cents"] == 11_626_740  # 182 of 4383 days of 2.8 million euros: 116,267.396... EUR
    assert cost["net_benefit_cents"] == 11_626_740 - 3_000_000
    terminated = await api.read("/teams/t2/cost-and-savings", user="official.vantaa",
                                params={"as_of": "2026-07-01", "savings_per_team_cents": "100000000",
                                        "horizon_years": "10"})
    assert terminated["invoiced_cents"] == 0  # invoiced for Q2, credited in full
    assert terminated["ended_on"] == "2026-03-31"
    assert (await api.get("/teams/unknown/cost-and-savings", user="official.vantaa")).status_code == 404
