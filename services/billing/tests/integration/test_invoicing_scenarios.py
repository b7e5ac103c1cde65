"""The issue's scenarios 1-3 through HTTP, with real PostgreSQL and NATS: enrollment's events arrive on its
stream, billing's worker projects them, and finance drafts, issues and corrects invoices."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from billing_api import Api, FixedClock
from billing_builders import agreement_body

pytestmark = pytest.mark.integration


async def partnership_with_agreement(api: Api, frequency: str, teams: dict[str, date | None]) -> None:
    await api.enrollment.partnership("p-vantaa", teams)
    await api.project()
    await api.ok("/agreements/p-vantaa", agreement_body(frequency=frequency))


async def issue_run(api: Api, period: str) -> list[dict[str, Any]]:
    drafted = await api.ok("/agreements/p-vantaa/runs", {"period": period})
    for document_id in drafted["documents"]:
        await api.ok(f"/documents/{document_id}/issue")
    return [await api.read(f"/documents/{d}") for d in drafted["documents"]]


async def test_scenario_1_two_teams_half_yearly_split_between_city_and_county(api: Api) -> None:
    await partnership_with_agreement(api, "half_yearly", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    documents = await issue_run(api, "2026-H1")
    assert sorted(d["payer"]["name"] for d in documents) == [
        "Vantaan ja Keravan hyvinvointialue", "Vantaan kaupunki",
    ]
    for document in documents:
        assert document["kind"] == "invoice" and document["status"] == "issued"
        assert [(ln["team_name"], ln["period"], ln["amount_cents"]) for ln in document["lines"]] == [
            ("Team t1", "2026-H1", 1_500_000), ("Team t2", "2026-H1", 1_500_000),
        ]
        assert document["total_cents"] == 3_000_000 and document["vat_cents"] == 0
        assert document["vat"]["category"] == "E"
        assert document["issue"]["due_on"] == "2026-01-23"
    assert [d["issue"]["number"] for d in documents] == ["2026000001", "2026000002"]
    assert documents[0]["issue"]["reference"] == "20260000011"
    assert documents[0]["issue"]["rf_reference"] == "RF6620260000011"
    # the same period again: already invoiced
    again = await api.command("/agreements/p-vantaa/runs", {"period": "2026-H1"})
    assert again.status_code == 409
    assert "already invoiced" in again.json()["detail"]
    await api.project()
    listed = await api.read("/agreements/p-vantaa/documents")
    assert [(row["number"], row["status"], row["total_cents"]) for row in listed] == [
        ("2026000001", "issued", 3_000_000), ("2026000002", "issued", 3_000_000),
    ]


async def test_scenario_2_concurrent_issuing_numbers_without_gaps(api: Api) -> None:
    # four partnerships of the same seller: their eight invoices share the seller's series for 2026
    for n in range(1, 5):
        await api.enrollment.partnership(f"p-{n}", {f"t{n}a": date(2026, 1, 1), f"t{n}b": date(2026, 1, 1)})
    await api.project()
    drafted: list[str] = []
    for n in range(1, 5):
        await api.ok(f"/agreements/p-{n}", agreement_body())
        drafted.extend((await api.ok(f"/agreements/p-{n}/runs", {"period": "2026-H1"}))["documents"])
    assert len(drafted) == 8
    # four workers issue at once, two documents each: every document gets a number, none twice, none skipped
    async def worker(mine: list[str]) -> list[int]:
        return [(await api.command(f"/documents/{d}/issue")).status_code for d in mine]

    answers = await asyncio.gather(*(worker(drafted[w::4]) for w in range(4)))
    assert [code for codes in answers for code in codes] == [200] * 8
    numbers = sorted([(await api.read(f"/documents/{d}"))["issue"]["number"] for d in drafted])
    assert numbers == [f"2026{n:06d}" for n in range(1, 9)]
    # a failed delivery keeps its number
    failed = await api.ok(f"/documents/{drafted[0]}/delivery-failure",
                          {"failed_on": "2026-01-03", "reason": "the access point refused it"})
    assert failed["events"] == ["billing.DocumentDeliveryFailed"]
    after = await api.read(f"/documents/{drafted[0]}")
    assert after["status"] == "delivery_failed"
    assert after["issue"]["number"] in numbers
    # issuing it again is refused: an issued document never changes
    assert (await api.command(f"/documents/{drafted[0]}/issue")).status_code == 409


async def test_scenario_3_a_team_terminated_on_31_march_is_credited_for_april_to_june(
    api: Api, clock: FixedClock
) -> None:
    await partnership_with_agreement(api, "quarterly", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    clock.set(date(2026, 4, 1))
    q2 = await issue_run(api, "2026-Q2")
    q2_numbers = {d["payer"]["payer_id"]: d["issue"]["number"] for d in q2}
    # enrollment records late that team t2 ended on 31 March
    await api.enrollment.terminate("t2", date(2026, 3, 31))
    await api.project()
    clock.set(date(2026, 7, 1))
    q3 = await issue_run(api, "2026-Q3")
    invoices = [d for d in q3 if d["kind"] == "invoice"]
    credits = [d for d in q3 if d["kind"] == "credit_note"]
    for invoice in invoices:  # future charges stop
        assert [(ln["team_id"], ln["amount_cents"]) for ln in invoice["lines"]] == [("t1", 750_000)]
    assert len(credits) == 2
    for credit in credits:
        assert credit["cites"]["invoice_number"] == q2_numbers[credit["payer"]["payer_id"]]
        assert [(ln["team_id"], ln["period"], ln["amount_cents"]) for ln in credit["lines"]] == [
            ("t2", "2026-Q2", -750_000)
        ]
        assert credit["total_cents"] == 750_000
        original = await api.read(f"/documents/{credit['cites']['invoice_id']}")
        assert original["credited_cents"] == 750_000
        assert original["total_cents"] == 1_500_000  # the issued invoice itself never changes


async def test_refusals_name_the_field(api: Api) -> None:
    await api.enrollment.partnership("p-one", {"t1": date(2026, 1, 1)})
    await api.enrollment.partnership("p-vantaa", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    await api.project()
    one = await api.command("/agreements/p-one", agreement_body())
    assert one.status_code == 422
    assert "at least 2 teams" in one.json()["detail"]
    body = agreement_body()
    body["payers"][0]["business_id"] = "0124610-8"
    bad_id = await api.command("/agreements/p-vantaa", body)
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "body.payers[0].business_id"
    body = agreement_body()
    body["payers"][1]["peppol_id"] = "0216:003732213660"
    bad_ovt = await api.command("/agreements/p-vantaa", body)
    assert bad_ovt.status_code == 422
    assert bad_ovt.json()["errors"][0]["field"] == "body.payers[1].peppol_id"
    body = agreement_body()
    body["payers"][1]["share_basis_points"] = 4_000
    shares = await api.command("/agreements/p-vantaa", body)
    assert shares.status_code == 422
    assert "sum to exactly 100 %" in shares.json()["detail"]
    unknown = await api.command("/agreements/p-nowhere", agreement_body())
    assert unknown.status_code == 404
    # another municipality's finance officer does not see the agreement
    await api.ok("/agreements/p-vantaa", agreement_body())
    other = await api.command("/agreements/p-vantaa/runs", {"period": "2026-H1"}, user="fund.hameenlinna")
    assert other.status_code == 403
    assert (await api.command("/agreements/p-vantaa/runs", {"period": "2026-H1"}, user="erp.vantaa")).status_code == 403


async def test_issued_documents_download_as_peppol_and_finvoice(api: Api, clock: FixedClock) -> None:
    from lxml import etree
    from peppol.xsd import SCHEMA_DIR

    await partnership_with_agreement(api, "quarterly", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    drafted = await api.ok("/agreements/p-vantaa/runs", {"period": "2026-Q1"})
    city = drafted["documents"][0]
    assert (await api.get(f"/documents/{city}/peppol.xml")).status_code == 409  # a draft has no number yet
    await api.ok(f"/documents/{city}/issue")
    ubl = await api.get(f"/documents/{city}/peppol.xml", user="erp.vantaa")
    assert ubl.status_code == 200 and ubl.headers["content-type"].startswith("application/xml")
    schema = etree.XMLSchema(etree.parse(f"{SCHEMA_DIR}/maindoc/UBL-Invoice-2.1.xsd"))
    assert schema.validate(etree.fromstring(ubl.content)), schema.error_log
    fin = await api.get(f"/documents/{city}/finvoice.xml")
    finvoice_xsd = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "resources" / "Finvoice3.0.xsd")))
    assert finvoice_xsd.validate(etree.fromstring(fin.content)), finvoice_xsd.error_log
    assert b"<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier=\"EUR\">15000,00<" in fin.content
    # another municipality's ERP does not see it
    assert (await api.get(f"/documents/{city}/peppol.xml", user="fund.hameenlinna")).status_code == 403


async def test_amendments_index_adjustments_and_termination(api: Api, clock: FixedClock) -> None:
    await partnership_with_agreement(api, "half_yearly", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    await api.ok("/agreements/p-vantaa/index-adjustments",
                 {"effective_from": "2026-07-01", "index_change_basis_points": 200})
    body = agreement_body()
    payers = body["payers"]
    payers[0]["share_basis_points"], payers[1]["share_basis_points"] = 6_000, 4_000
    await api.ok("/agreements/p-vantaa/amendments",
                 {"effective_from": "2027-01-01", "payers": payers, "reason": "the county takes a smaller share"})
    bad = await api.command("/agreements/p-vantaa/amendments", {
        "effective_from": "2027-01-01", "payers": [{**payers[0], "share_basis_points": 5_000}, payers[1]],
        "reason": "typo"})
    assert bad.status_code == 422
    h1 = await issue_run(api, "2026-H1")
    assert {d["total_cents"] for d in h1} == {3_000_000}
    clock.set(date(2026, 7, 1))
    h2 = await issue_run(api, "2026-H2")
    assert {d["total_cents"] for d in h2} == {3_060_000}  # 61,200.00 a team a year from July: +2 %
    clock.set(date(2027, 1, 1))
    y2027 = await issue_run(api, "2027-H1")
    assert sorted(d["total_cents"] for d in y2027) == [2_448_000, 3_672_000]  # 40 / 60 of 61,200.00
    # terminated on 31 March 2027: a correction run credits April-June to both payers, citing their invoices
    await api.ok("/agreements/p-vantaa/termination", {"terminated_on": "2027-03-31", "reason": "council decision"})
    corrections = await api.ok("/agreements/p-vantaa/corrections")
    credits = [await api.read(f"/documents/{d}") for d in corrections["documents"]]
    assert {c["kind"] for c in credits} == {"credit_note"}
    numbers = {d["issue"]["number"] for d in y2027}
    assert {c["cites"]["invoice_number"] for c in credits} == numbers
    # 91 of the 181 days are no longer due: 30,600.00 x 91 / 181 = 15,384.53 per team, split 60/40
    assert sorted(c["total_cents"] for c in credits) == [1_230_762, 1_846_144]
    after = await api.command("/agreements/p-vantaa/runs", {"period": "2027-H2"})
    assert after.status_code == 409  # the drafts of the correction run are open
