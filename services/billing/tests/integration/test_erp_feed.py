"""Scenario 4 through HTTP: the ERP reads the feed from a cursor (twice, the same documents), acknowledges,
reports payments (a payment reported twice counts once), and takes a CSV export."""

from __future__ import annotations

from datetime import date

import pytest
from billing_api import Api, FixedClock
from billing_builders import agreement_body

pytestmark = pytest.mark.integration


async def issued_quarters(api: Api, clock: FixedClock) -> None:
    await api.enrollment.partnership("p-vantaa", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    await api.project()
    await api.ok("/agreements/p-vantaa", agreement_body(frequency="quarterly"))
    for quarter, day in (("2026-Q1", date(2026, 1, 2)), ("2026-Q2", date(2026, 4, 1))):
        clock.set(day)
        drafted = await api.ok("/agreements/p-vantaa/runs", {"period": quarter})
        for document_id in drafted["documents"]:
            await api.ok(f"/documents/{document_id}/issue")
    await api.project()


async def test_scenario_4_the_feed_from_a_cursor_and_payments_counted_once(api: Api, clock: FixedClock) -> None:
    await issued_quarters(api, clock)
    first = await api.read("/erp/feed", user="erp.vantaa", params={"limit": "2"})
    assert [d["number"] for d in first["documents"]] == ["2026000001", "2026000002"]
    assert first["more"] is True and first["acknowledged"] == 0
    cursor = str(first["cursor"])
    # the same cursor twice: the same documents
    again = await api.read("/erp/feed", user="erp.vantaa", params={"since": cursor})
    twice = await api.read("/erp/feed", user="erp.vantaa", params={"since": cursor})
    assert again == twice
    assert [d["number"] for d in again["documents"]] == ["2026000003", "2026000004"]
    assert again["more"] is False
    # acknowledged: the feed goes on from there by default; a repeated acknowledgement changes nothing
    acknowledged = await api.ok("/erp/acknowledgements", {"cursor": first["cursor"]}, user="erp.vantaa")
    assert acknowledged == {"acknowledged": first["cursor"], "changed": True}
    repeated = await api.ok("/erp/acknowledgements", {"cursor": first["cursor"]}, user="erp.vantaa")
    assert repeated == {"acknowledged": first["cursor"], "changed": False}
    after_ack = await api.read("/erp/feed", user="erp.vantaa")
    assert [d["number"] for d in after_ack["documents"]] == ["2026000003", "2026000004"]
    # a payment reported twice (a retry with another key) counts once
    invoice = first["documents"][0]
    payment = {"payment_id": "VANTAA-ERP-118", "amount_cents": 1_000_000, "paid_on": "2026-01-20"}
    reported = await api.ok(f"/documents/{invoice['document_id']}/payments", payment, user="erp.vantaa",
                            key="erp-118-report")
    assert reported["events"] == ["billing.PaymentReceived"]
    replay = await api.command(f"/documents/{invoice['document_id']}/payments", payment, user="erp.vantaa",
                               key="erp-118-report")
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    retried = await api.ok(f"/documents/{invoice['document_id']}/payments", payment, user="erp.vantaa")
    assert retried["events"] == []  # another report of the same payment id: nothing changes
    document = await api.read(f"/documents/{invoice['document_id']}")
    assert (document["paid_cents"], document["status"]) == (1_000_000, "partly_paid")
    rest = {"payment_id": "VANTAA-ERP-119", "amount_cents": 500_000, "paid_on": "2026-01-21"}
    await api.ok(f"/documents/{invoice['document_id']}/payments", rest, user="erp.vantaa")
    assert (await api.read(f"/documents/{invoice['document_id']}"))["status"] == "paid"
    await api.project()
    listed = {row["number"]: row for row in await api.read("/agreements/p-vantaa/documents")}
    assert (listed["2026000001"]["paid_cents"], listed["2026000001"]["status"]) == (1_500_000, "paid")
    # the same feed page still reads the same documents (their payments show in their status)
    assert [d["number"] for d in (await api.read("/erp/feed", user="erp.vantaa", params={"since": "0", "limit": "2"}))[
        "documents"]] == ["2026000001", "2026000002"]


async def test_the_csv_export(api: Api, clock: FixedClock) -> None:
    await issued_quarters(api, clock)
    response = await api.get("/erp/export.csv", user="erp.vantaa", params={"since": "2"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().split("\r\n")
    assert lines[0].startswith("cursor,number,kind,issued_on,due_on,payer_business_id")
    assert [line.split(",")[1] for line in lines[1:]] == ["2026000003", "2026000004"]
    assert lines[1].split(",")[8:11] == ["15000.00", "0.00", "15000.00"]


async def test_another_municipality_s_erp_sees_nothing(api: Api, clock: FixedClock) -> None:
    await issued_quarters(api, clock)
    refused = await api.get("/erp/feed", user="fund.hameenlinna")
    assert refused.status_code == 403
    page = await api.read("/erp/feed", user="finance.vantaa")
    assert len(page["documents"]) == 4
