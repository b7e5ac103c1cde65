"""Scenario 5 through HTTP: an outcome contract in Hämeenlinna; the evaluator submits, the county's
official verifies, finance bills; the fund sees contract-level figures, a metric with n = 4 null."""

from __future__ import annotations

import pytest
from billing_api import Api
from sib_builders import contract_body, result_body

pytestmark = pytest.mark.integration

HAMEENLINNA = ["109"]


async def test_scenario_5_suppressed_for_the_fund_and_no_payment_before_verification(api: Api) -> None:
    await api.ok("/sib-contracts/sib-hml", contract_body(periods=[
        {"period_id": "2027", "start": "2027-01-01", "end": "2027-12-31"},
        {"period_id": "2028", "start": "2028-01-01", "end": "2028-12-31"},
    ]), tenants=HAMEENLINNA)
    # the evaluator submits a result measured on 4 children, and one on 32
    await api.ok("/sib-contracts/sib-hml/results", result_body(n=4, period_id="2027"), user="evaluator.hameenlinna")
    await api.ok("/sib-contracts/sib-hml/results", result_body(n=32, period_id="2028"), user="evaluator.hameenlinna")
    fund = await api.get("/sib-contracts/sib-hml", user="fund.hameenlinna")
    assert fund.status_code == 200
    results = {r["period_id"]: r for r in fund.json()["results"]}
    small = results["2027"]
    assert (small["n"], small["value"], small["counterfactual"], small["improvement"]) == (None, None, None, None)
    assert small["suppressed"] is True
    assert (results["2028"]["n"], results["2028"]["improvement"]) == (32, "0.13")
    # no outcome payment before a verified result
    early = await api.command("/sib-contracts/sib-hml/payments", {"metric_id": "placements", "period_id": "2028"},
                              tenants=HAMEENLINNA)
    assert early.status_code == 409
    assert "before a verified result" in early.json()["detail"]
    # the evaluator may not verify its own result; the county's official (here: an official of 109) does
    own = await api.command("/sib-contracts/sib-hml/verifications", {"metric_id": "placements", "period_id": "2028"},
                            user="evaluator.hameenlinna")
    assert own.status_code == 403
    await api.ok("/sib-contracts/sib-hml/verifications", {"metric_id": "placements", "period_id": "2028"},
                 user="official.vantaa", tenants=HAMEENLINNA)
    billed = await api.ok("/sib-contracts/sib-hml/payments", {"metric_id": "placements", "period_id": "2028"},
                          tenants=HAMEENLINNA)
    [document_id] = billed["documents"]
    await api.ok(f"/documents/{document_id}/issue", tenants=HAMEENLINNA)
    invoice = (await api.get(f"/documents/{document_id}", tenants=HAMEENLINNA)).json()
    assert invoice["total_cents"] == 6_240_000
    assert invoice["seller"]["name"] == "Vaikuttavuusrahasto I Ky"
    assert invoice["payer"]["name"] == "Kanta-Hämeen hyvinvointialue"
    assert invoice["issue"]["series"] == "0245437-2-2026"  # the fund's own series
    assert invoice["lines"][0]["item"] == "outcome_payment"
    xml = await api.get(f"/documents/{document_id}/peppol.xml", tenants=HAMEENLINNA)
    assert b"Outcome payment: Placements outside the home avoided 2028" in xml.content
    again = await api.command("/sib-contracts/sib-hml/payments", {"metric_id": "placements", "period_id": "2028"},
                              tenants=HAMEENLINNA)
    assert again.status_code == 409
    after = {r["period_id"]: r for r in (await api.get("/sib-contracts/sib-hml", user="fund.hameenlinna")).json()[
        "results"]}
    assert (after["2028"]["status"], after["2028"]["payment_cents"], after["2028"]["paid_cents"]) == (
        "billed", 6_240_000, 0)
    await api.ok(f"/documents/{document_id}/payments",
                 {"payment_id": "khhyva-1", "amount_cents": 6_240_000, "paid_on": "2026-02-01"}, tenants=HAMEENLINNA)
    paid = (await api.get("/sib-contracts/sib-hml", user="fund.hameenlinna")).json()
    assert (paid["billed_cents"], paid["paid_cents"]) == (6_240_000, 6_240_000)
    # another municipality's fund user sees nothing of it
    assert (await api.get("/sib-contracts/sib-hml", user="fund.hameenlinna", tenants=["092"])).status_code == 404


async def test_reinvestments_never_exceed_the_outcome_payments_billed(api: Api) -> None:
    await api.ok("/sib-contracts/sib-hml", contract_body(periods=[
        {"period_id": "2028", "start": "2028-01-01", "end": "2028-12-31"},
    ]), tenants=HAMEENLINNA)
    reinvestment = {"reinvestment_id": "r1", "amount_cents": 1_000_000, "reinvested_on": "2029-08-01",
                    "purpose": "a third team"}
    nothing_billed = await api.command("/sib-contracts/sib-hml/reinvestments", reinvestment, tenants=HAMEENLINNA)
    assert nothing_billed.status_code == 409
    assert nothing_billed.json()["errors"][0]["field"] == "body.amount_cents"
    await api.ok("/sib-contracts/sib-hml/results", result_body(n=32, period_id="2028"), user="evaluator.hameenlinna")
    await api.ok("/sib-contracts/sib-hml/verifications", {"metric_id": "placements", "period_id": "2028"},
                 user="official.vantaa", tenants=HAMEENLINNA)
    await api.ok("/sib-contracts/sib-hml/payments", {"metric_id": "placements", "period_id": "2028"},
                 tenants=HAMEENLINNA)
    await api.ok("/sib-contracts/sib-hml/reinvestments", reinvestment, tenants=HAMEENLINNA)
    twice = await api.command("/sib-contracts/sib-hml/reinvestments", reinvestment, tenants=HAMEENLINNA)
    assert twice.status_code == 409
    too_much = await api.command("/sib-contracts/sib-hml/reinvestments",
                                 {**reinvestment, "reinvestment_id": "r2", "amount_cents": 5_240_001},
                                 tenants=HAMEENLINNA)
    assert too_much.status_code == 409
    assert "5240000" in too_much.json()["detail"]
    fund = (await api.get("/sib-contracts/sib-hml", user="fund.hameenlinna")).json()
    assert (fund["billed_cents"], fund["reinvested_cents"]) == (6_240_000, 1_000_000)
