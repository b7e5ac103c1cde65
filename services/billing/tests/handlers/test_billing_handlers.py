"""Handlers on the in-memory store: load, decide, append; retries, races and tenants."""

from __future__ import annotations

from datetime import date

import pytest
from billing_builders import SELLER, agreement_body, facts, team
from billing_desk import Desk, StaffOf
from rinnalla_billing.application import handlers as h
from rinnalla_billing.application.deciders import DOCUMENT, SERIES
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain.errors import InvalidTransition, NotFound
from rinnalla_events import ConcurrencyConflict, load


async def agreed(desk: Desk, frequency: str = "half_yearly") -> None:
    desk.facts.partnerships["p-vantaa"] = facts(team("t1"), team("t2"))
    command = c.SetUpAgreement.model_validate({"agreement_id": "p-vantaa", **agreement_body(frequency=frequency)})
    await desk.send(h.set_up_agreement, command, with_facts=True)


async def drafted(desk: Desk, period: str, today: date = date(2026, 1, 2)) -> list[str]:
    command = c.DraftInvoices(agreement_id="p-vantaa", period=period, today=today)
    outcome = await desk.send(h.draft, command, with_facts=True)
    return [str(d) for d in outcome.result["documents"]]


async def test_a_run_drafts_one_invoice_per_payer_and_issuing_numbers_them() -> None:
    desk = Desk.empty()
    await agreed(desk)
    ids = await drafted(desk, "2026-H1")
    assert len(ids) == 2
    for document_id in ids:
        await desk.send(h.issue_document, c.IssueDocument(document_id=document_id, today=date(2026, 1, 2)))
    state, _ = await load(desk.store, DOCUMENT, ids[1])
    assert state.issued is not None and state.issued.number == "2026000002"
    series, version = await load(desk.store, SERIES, f"{SELLER.business_id}-2026")
    assert (series.last, version) == (2, 2)
    assert (await desk.recorded()).count("billing.NumberTaken") == 2


async def test_a_retried_command_is_answered_with_its_first_outcome() -> None:
    desk = Desk.empty()
    await agreed(desk)
    command = c.DraftInvoices(agreement_id="p-vantaa", period="2026-H1", today=date(2026, 1, 2))
    first = await desk.send(h.draft, command, key="run-1", with_facts=True)
    again = await desk.send(h.draft, command, key="run-1", with_facts=True)
    assert again.replayed and again.result == first.result
    assert (await desk.recorded()).count("billing.DocumentsPrepared") == 1


async def test_two_issues_racing_for_one_number_conflict_and_the_retry_takes_the_next() -> None:
    desk = Desk.empty()
    await agreed(desk)
    first, second = await drafted(desk, "2026-H1")
    commands = [c.IssueDocument(document_id=d, today=date(2026, 1, 2)) for d in (first, second)]
    outcomes = await desk.race_once(h.issue_document, *commands)
    assert sum(isinstance(o, ConcurrencyConflict) for o in outcomes) == 1
    loser = commands[[isinstance(o, ConcurrencyConflict) for o in outcomes].index(True)]
    await desk.send(h.issue_document, loser)
    numbers = sorted([(await load(desk.store, DOCUMENT, d))[0].issued.number for d in (first, second)])  # type: ignore[union-attr]
    assert numbers == ["2026000001", "2026000002"]


async def test_an_issued_document_cannot_be_issued_or_discarded_again() -> None:
    desk = Desk.empty()
    await agreed(desk)
    [city, _] = await drafted(desk, "2026-H1")
    await desk.send(h.issue_document, c.IssueDocument(document_id=city, today=date(2026, 1, 2)))
    with pytest.raises(InvalidTransition, match="only a draft can change"):
        await desk.send(h.issue_document, c.IssueDocument(document_id=city, today=date(2026, 1, 3)))
    with pytest.raises(InvalidTransition, match="only a draft can change"):
        await desk.send(h.discard_draft, c.DiscardDraft(document_id=city, reason="typo"))


async def test_a_discarded_draft_releases_the_run() -> None:
    desk = Desk.empty()
    await agreed(desk)
    ids = await drafted(desk, "2026-H1")
    for document_id in ids:
        await desk.send(h.discard_draft, c.DiscardDraft(document_id=document_id, reason="the reference changes"))
    assert len(await drafted(desk, "2026-H1")) == 2


async def test_a_payment_reported_twice_counts_once() -> None:
    desk = Desk.empty()
    await agreed(desk)
    [city, _] = await drafted(desk, "2026-H1")
    await desk.send(h.issue_document, c.IssueDocument(document_id=city, today=date(2026, 1, 2)))
    payment = c.RecordPayment(document_id=city, payment_id="erp-7", amount_cents=3_000_000, paid_on=date(2026, 1, 20))
    await desk.send(h.on_document, payment, key="report-1")
    again = await desk.send(h.on_document, payment, key="report-2")  # another report of the same payment
    assert not again.changed
    state, _ = await load(desk.store, DOCUMENT, city)
    assert (state.paid_cents, state.status) == (3_000_000, "paid")


async def test_another_municipality_sees_nothing() -> None:
    desk = Desk.empty()
    await agreed(desk)
    with pytest.raises(NotFound):
        await desk.send(h.draft, c.DraftInvoices(agreement_id="p-vantaa", period="2026-H1", today=date(2026, 1, 2)),
                        guard=StaffOf("109"), with_facts=True)
    [city, _] = await drafted(desk, "2026-H1")
    with pytest.raises(NotFound):
        await desk.send(h.issue_document, c.IssueDocument(document_id=city, today=date(2026, 1, 2)),
                        guard=StaffOf("109"))


async def test_an_agreement_needs_the_partnership_from_enrollment() -> None:
    desk = Desk.empty()
    command = c.SetUpAgreement.model_validate({"agreement_id": "p-unknown", **agreement_body()})
    with pytest.raises(NotFound, match="no partnership"):
        await desk.send(h.set_up_agreement, command, with_facts=True)


async def test_terminating_the_agreement_is_credited_by_the_correction_run() -> None:
    desk = Desk.empty()
    await agreed(desk, "yearly")
    for document_id in await drafted(desk, "2026"):
        await desk.send(h.issue_document, c.IssueDocument(document_id=document_id, today=date(2026, 1, 2)))
    await desk.send(h.change_agreement, c.TerminateAgreement(agreement_id="p-vantaa", terminated_on=date(2026, 6, 30),
                                                              reason="the council ended it"))
    outcome = await desk.send(h.draft, c.DraftCorrections(agreement_id="p-vantaa", today=date(2026, 7, 1)),
                              with_facts=True)
    credits = [(await load(desk.store, DOCUMENT, str(d)))[0].drafted for d in outcome.result["documents"]]
    assert [d.kind.value for d in credits if d is not None] == ["credit_note", "credit_note"]
    correct = c.DraftCorrections(agreement_id="p-vantaa", today=date(2026, 7, 1))
    with pytest.raises(InvalidTransition, match="still open"):
        await desk.send(h.draft, correct, with_facts=True)
    for document_id in outcome.result["documents"]:
        await desk.send(h.issue_document, c.IssueDocument(document_id=str(document_id), today=date(2026, 7, 1)))
    nothing = await desk.send(h.draft, correct, with_facts=True)
    assert nothing.changed is False
    assert nothing.result["documents"] == []
