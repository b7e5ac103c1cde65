"""The outcome contracts' and the ERP's handlers on the in-memory store."""

from __future__ import annotations

from datetime import date

import pytest
from billing_desk import Desk, StaffOf
from rinnalla_billing.application import handlers as h
from rinnalla_billing.application.deciders import DOCUMENT, ERP_CLIENT, SIB_CONTRACT
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import sib
from rinnalla_billing.domain.erp import AcknowledgeFeed
from rinnalla_billing.domain.errors import InvalidTransition, NotFound
from rinnalla_events import load
from sib_builders import contract_body, result_body

HAMEENLINNA = StaffOf("109")


async def contract(desk: Desk) -> None:
    await desk.send(h.set_up_sib_contract, sib.SetUpSibContract.model_validate({"contract_id": "sib-1",
                                                                                 **contract_body()}),
                    guard=HAMEENLINNA)
    submit = sib.SubmitResult.model_validate({"contract_id": "sib-1", **result_body(period_id="2027")})
    await desk.send(h.on_sib_result, submit, guard=HAMEENLINNA)


BILL = sib.BillOutcomePayment(contract_id="sib-1", metric_id="placements", period_id="2027")


async def test_billing_a_verified_result_drafts_the_fund_s_invoice_to_the_outcome_payer() -> None:
    desk = Desk.empty()
    await contract(desk)
    with pytest.raises(InvalidTransition, match="before a verified result"):
        await desk.send(h.bill_outcome_payment, BILL, guard=HAMEENLINNA)
    await desk.send(h.on_sib_result, sib.VerifyResult(contract_id="sib-1", metric_id="placements", period_id="2027"),
                    guard=HAMEENLINNA)
    outcome = await desk.send(h.bill_outcome_payment, BILL, guard=HAMEENLINNA)
    [document_id] = outcome.result["documents"]
    drafted = (await load(desk.store, DOCUMENT, str(document_id)))[0].drafted
    assert drafted is not None
    assert (drafted.seller.name, drafted.payer.name, drafted.total_cents) == (
        "Vaikuttavuusrahasto I Ky", "Kanta-Hämeen hyvinvointialue", 6_240_000,
    )
    await desk.send(h.issue_document, c.IssueDocument(document_id=str(document_id), today=date(2028, 2, 1)),
                    guard=HAMEENLINNA)
    state, _ = await load(desk.store, SIB_CONTRACT, "sib-1")
    assert state.results[("placements", "2027")].status is sib.ResultStatus.BILLED
    with pytest.raises(InvalidTransition, match="billed already"):
        await desk.send(h.bill_outcome_payment, BILL, guard=HAMEENLINNA)


async def test_another_municipality_sees_no_contract() -> None:
    desk = Desk.empty()
    await contract(desk)
    with pytest.raises(NotFound):
        await desk.send(h.bill_outcome_payment, BILL)  # a Vantaa caller
    with pytest.raises(NotFound):
        await desk.send(h.set_up_sib_contract, sib.SetUpSibContract.model_validate({"contract_id": "sib-2",
                                                                                     **contract_body()}))


async def test_an_acknowledgement_moves_forward_only() -> None:
    desk = Desk.empty()
    first = await desk.send(h.acknowledge_feed, AcknowledgeFeed(client_id="erp-092", cursor=5))
    assert first.result["events"] == ["billing.FeedAcknowledged"]
    for cursor in (5, 3):
        again = await desk.send(h.acknowledge_feed, AcknowledgeFeed(client_id="erp-092", cursor=cursor))
        assert again.changed is False
    state, _ = await load(desk.store, ERP_CLIENT, "erp-092")
    assert state.acknowledged == 5
