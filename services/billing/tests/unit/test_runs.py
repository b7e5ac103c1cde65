"""Billing runs on the pure domain: what is due, prorated by day, split between payers, corrected later."""

from __future__ import annotations

from datetime import date
from functools import reduce

import pytest
from billing_builders import CITY, COUNTY, SELLER, facts, team
from rinnalla_billing.domain import account, agreement, document, runs, series
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_billing.domain.facts import PartnershipFacts
from rinnalla_billing.domain.periods import Frequency, period_of
from rinnalla_events import DomainEvent, StreamEvents


def set_up(frequency: Frequency = Frequency.HALF_YEARLY, **overrides: object) -> agreement.AgreementState:
    command = c.SetUpAgreement.model_validate(
        {"agreement_id": "p-vantaa", "seller": SELLER, "frequency": frequency, "payers": (CITY, COUNTY),
         "valid_from": date(2026, 1, 1), **overrides}
    )
    events = agreement.set_up(agreement.initial(), facts(team("t1"), team("t2")), command)
    return reduce(agreement.evolve, events, agreement.initial())


class Books:
    """The account, the series and the documents, evolved as the event store would."""

    def __init__(self) -> None:
        self.account = account.initial()
        self.series: dict[str, series.SeriesState] = {}
        self.documents: dict[str, document.DocumentState] = {}

    def apply(self, changes: list[StreamEvents]) -> None:
        for change in changes:
            for event in change.events:
                self._apply(change.stream_type, change.stream_id, event)

    def _apply(self, stream_type: str, stream_id: str, event: DomainEvent) -> None:
        if stream_type == account.STREAM_TYPE:
            self.account = account.evolve(self.account, event)
        elif stream_type == series.STREAM_TYPE:
            self.series[stream_id] = series.evolve(self.series.get(stream_id, series.initial()), event)
        else:
            self.documents[stream_id] = document.evolve(self.documents.get(stream_id, document.initial()), event)

    def run(self, terms: agreement.AgreementState, known: PartnershipFacts, label: str | None) -> list[str]:
        period = period_of(terms.frequency, label) if label is not None else None
        changes = runs.draft_run(terms, self.account, known, period)
        self.apply(changes)
        return [ch.stream_id for ch in changes if ch.stream_type == document.STREAM_TYPE]

    def issue(self, document_id: str, today: date = date(2026, 1, 2)) -> e.DocumentIssued:
        state = self.documents[document_id]
        drafted = state.drafted
        assert drafted is not None
        series_id = series.series_id(drafted.seller.business_id, today.year)
        cited = self.documents.get(drafted.cites.invoice_id) if drafted.cites else None
        changes = runs.issue(
            state, document_id, self.account, self.series.get(series_id, series.initial()), cited, today
        )
        self.apply(changes)
        issued = self.documents[document_id].issued
        assert issued is not None
        return issued

    def drafted(self, document_id: str) -> e.DocumentDrafted:
        drafted = self.documents[document_id].drafted
        assert drafted is not None
        return drafted


def test_two_teams_half_yearly_split_fifty_fifty_is_two_times_15000_to_each_payer() -> None:
    books = Books()
    ids = books.run(set_up(), facts(team("t1"), team("t2")), "2026-H1")
    assert len(ids) == 2
    for document_id, payer in zip(ids, ("city", "county"), strict=True):
        drafted = books.drafted(document_id)
        assert drafted.kind is e.DocumentKind.INVOICE
        assert drafted.payer.payer_id == payer
        assert [(line.team_id, line.amount_cents) for line in drafted.lines] == [("t1", 1_500_000), ("t2", 1_500_000)]
        assert drafted.total_cents == 3_000_000
        assert drafted.vat_cents == 0
        assert drafted.vat.category == "E"


def test_a_team_activated_mid_period_is_prorated_by_day() -> None:
    books = Books()
    known = facts(team("t1"), team("t2", activated_on=date(2026, 4, 1)))
    [city, _county] = books.run(set_up(), known, "2026-H1")
    lines = {line.team_id: line for line in books.drafted(city).lines}
    # 91 of the 181 days of the half-year: 30,000.00 * 91 / 181 = 15,082.872... -> 15,082.87, half to each
    assert (lines["t2"].active_days, lines["t2"].period_days) == (91, 181)
    assert lines["t2"].amount_cents == 754_144  # 1,508,287 split 50/50: the city takes the odd cent
    assert lines["t1"].amount_cents == 1_500_000


def test_an_inactive_team_is_not_charged() -> None:
    books = Books()
    [city, _] = books.run(set_up(), facts(team("t1"), team("t2", activated_on=None)), "2026-H1")
    assert [line.team_id for line in books.drafted(city).lines] == ["t1"]


def test_issuing_numbers_gaplessly_and_gives_the_payment_references() -> None:
    books = Books()
    ids = books.run(set_up(), facts(team("t1"), team("t2")), "2026-H1")
    first, second = (books.issue(document_id) for document_id in ids)
    assert (first.sequence, second.sequence) == (1, 2)
    assert (first.number, second.number) == ("2026000001", "2026000002")
    assert first.series == "2228357-4-2026"
    assert first.reference == "20260000011"
    assert first.rf_reference == "RF6620260000011"
    assert first.due_on == date(2026, 1, 23)
    assert books.documents[ids[0]].status == "issued"


def test_a_period_is_invoiced_once() -> None:
    books = Books()
    terms = set_up()
    known = facts(team("t1"), team("t2"))
    ids = books.run(terms, known, "2026-H1")
    with pytest.raises(InvalidTransition, match="still open"):
        books.run(terms, known, "2026-H1")
    for document_id in ids:
        books.issue(document_id)
    with pytest.raises(InvalidTransition, match="already invoiced"):
        books.run(terms, known, "2026-H1")


def test_a_termination_arriving_late_is_credited_citing_the_invoice() -> None:
    books = Books()
    terms = set_up(Frequency.QUARTERLY)
    ids = books.run(terms, facts(team("t1"), team("t2")), "2026-Q2")
    originals = {books.drafted(i).payer.payer_id: books.issue(i, date(2026, 4, 1)) for i in ids}
    # enrollment records that team t2 was terminated on 31 March, after the Q2 invoices were issued
    late = facts(team("t1"), team("t2", ended_on=date(2026, 3, 31)))
    next_ids = books.run(terms, late, "2026-Q3")
    drafts = [books.drafted(i) for i in next_ids]
    invoices = [d for d in drafts if d.kind is e.DocumentKind.INVOICE]
    credits = [d for d in drafts if d.kind is e.DocumentKind.CREDIT_NOTE]
    assert [[(ln.team_id, ln.period, ln.amount_cents) for ln in d.lines] for d in invoices] == [
        [("t1", "2026-Q3", 750_000)], [("t1", "2026-Q3", 750_000)]
    ]
    assert len(credits) == 2
    for credit in credits:
        original = originals[credit.payer.payer_id]
        assert credit.cites is not None
        assert credit.cites.invoice_number == original.number
        assert [(ln.team_id, ln.period, ln.amount_cents) for ln in credit.lines] == [("t2", "2026-Q2", -750_000)]
        assert credit.total_cents == 750_000
    credit_id = next(i for i in next_ids if books.drafted(i).kind is e.DocumentKind.CREDIT_NOTE)
    books.issue(credit_id, date(2026, 7, 1))
    cited = books.documents[books.drafted(credit_id).cites.invoice_id]  # type: ignore[union-attr]
    assert cited.credited_cents == 750_000
    assert cited.issued is not None  # the original keeps its number and content
    assert cited.drafted is not None and cited.drafted.total_cents == 1_500_000


def test_a_late_activation_is_charged_on_the_next_invoice() -> None:
    books = Books()
    terms = set_up(Frequency.QUARTERLY)
    ids = books.run(terms, facts(team("t1"), team("t2", activated_on=None)), "2026-Q1")
    for document_id in ids:
        books.issue(document_id)
    # t2 turns out to have started on 1 March: 31 of Q1's 90 days are charged with Q2
    ids = books.run(terms, facts(team("t1"), team("t2", activated_on=date(2026, 3, 1))), "2026-Q2")
    lines = [(ln.team_id, ln.period, ln.amount_cents) for ln in books.drafted(ids[0]).lines]
    # 15,000.00 * 31 / 90 = 5,166.666... -> 5,166.67, half each: 2,583.34 to the city (the odd cent)
    assert lines == [("t1", "2026-Q2", 750_000), ("t2", "2026-Q1", 258_334), ("t2", "2026-Q2", 750_000)]


def test_an_agreement_terminated_is_credited_by_a_correction_run() -> None:
    books = Books()
    terms = set_up(Frequency.YEARLY)
    known = facts(team("t1"), team("t2"))
    for document_id in books.run(terms, known, "2026"):
        books.issue(document_id)
    ended = reduce(
        agreement.evolve,
        agreement.decide(terms, c.TerminateAgreement(agreement_id="p-vantaa", terminated_on=date(2026, 6, 30),
                                                      reason="the municipality ended the partnership")),
        terms,
    )
    ids = books.run(ended, known, None)
    credits = [books.drafted(i) for i in ids]
    assert {d.kind for d in credits} == {e.DocumentKind.CREDIT_NOTE}
    # 184 of 365 days are no longer due: 60,000.00 * 184 / 365 = 30,246.575... -> 30,246.58 per team
    assert [ln.amount_cents for ln in credits[0].lines] == [-1_512_329, -1_512_329]
    for document_id in ids:
        books.issue(document_id, date(2026, 7, 1))
    assert books.run(ended, known, None) == []  # nothing left to correct
    with pytest.raises(RuleViolated, match="outside the agreement's term"):
        books.run(ended, known, "2027")


def test_an_index_adjustment_prices_the_periods_from_its_date() -> None:
    terms = set_up()
    adjusted = reduce(
        agreement.evolve,
        agreement.decide(terms, c.AdjustPriceByIndex(agreement_id="p-vantaa", effective_from=date(2027, 1, 1),
                                                      index_change_basis_points=310)),
        terms,
    )
    assert adjusted.terms_on(date(2026, 7, 1)).price_per_team_cents == 6_000_000
    assert adjusted.terms_on(date(2027, 1, 1)).price_per_team_cents == 6_186_000


def test_setting_up_checks_the_partnership_and_the_payers() -> None:
    base = {"agreement_id": "p-vantaa", "seller": SELLER, "payers": (CITY, COUNTY), "valid_from": date(2026, 1, 1)}
    with pytest.raises(RuleViolated, match="at least 2 teams"):
        agreement.set_up(agreement.initial(), facts(team("t1"), team_count=1), c.SetUpAgreement.model_validate(base))
    with pytest.raises(NotFound, match="no partnership"):
        agreement.set_up(agreement.initial(), None, c.SetUpAgreement.model_validate(base))
    uneven = {**base, "payers": (CITY, COUNTY.model_copy(update={"share_basis_points": 4_000}))}
    with pytest.raises(RuleViolated, match=r"90\.00 %"):
        agreement.set_up(agreement.initial(), facts(), c.SetUpAgreement.model_validate(uneven))
    bad_ovt = {**base, "payers": (CITY.model_copy(update={"peppol_id": "0216:003701246100"}), COUNTY)}
    with pytest.raises(InvalidValue) as refused:
        agreement.set_up(agreement.initial(), facts(), c.SetUpAgreement.model_validate(bad_ovt))
    assert refused.value.field == "payers[0].peppol_id"
    bad_id = {**base, "payers": (CITY, COUNTY.model_copy(update={"business_id": "3221366-0"}))}
    with pytest.raises(InvalidValue) as refused:
        agreement.set_up(agreement.initial(), facts(), c.SetUpAgreement.model_validate(bad_id))
    assert refused.value.field == "payers[1].business_id"
    with pytest.raises(AlreadyExists):
        agreement.set_up(set_up(), facts(), c.SetUpAgreement.model_validate(base))


def test_payments_count_once_and_make_an_invoice_paid() -> None:
    books = Books()
    [city, _] = books.run(set_up(), facts(team("t1"), team("t2")), "2026-H1")
    books.issue(city)
    state = books.documents[city]
    pay = c.RecordPayment(document_id=city, payment_id="erp-1", amount_cents=1_000_000, paid_on=date(2026, 1, 20))
    state = reduce(document.evolve, document.decide(state, pay), state)
    assert state.status == "partly_paid"
    assert document.decide(state, pay) == []
    rest = pay.model_copy(update={"payment_id": "erp-2", "amount_cents": 2_000_000})
    state = reduce(document.evolve, document.decide(state, rest), state)
    assert state.status == "paid"


def test_a_failed_delivery_keeps_the_number() -> None:
    books = Books()
    [city, _] = books.run(set_up(), facts(team("t1"), team("t2")), "2026-H1")
    issued = books.issue(city)
    state = books.documents[city]
    failure = c.RecordDeliveryFailure(document_id=city, failed_on=date(2026, 1, 3), reason="unknown recipient")
    state = reduce(document.evolve, document.decide(state, failure), state)
    assert state.status == "delivery_failed"
    assert state.issued == issued
    delivered = c.RecordDelivery(document_id=city, delivered_on=date(2026, 1, 4))
    state = reduce(document.evolve, document.decide(state, delivered), state)
    assert state.status == "delivered"
