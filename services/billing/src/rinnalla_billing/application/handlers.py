"""Command handlers: load the streams a command needs, check the caller serves the municipality, decide,
append (all streams at once, each at the version it was loaded at).

Issuing takes the next number of a series shared by every agreement of the seller: two issues racing for
it conflict, and `retrying` runs the loser again with a fresh writer, so it takes the next number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rinnalla_events import CommandWriter, ConcurrencyConflict, Outcome, StreamEvents

from rinnalla_billing.application.deciders import ACCOUNT, AGREEMENT, DOCUMENT, ERP_CLIENT, SERIES, SIB_CONTRACT
from rinnalla_billing.application.ports import EnrollmentFacts, Guard
from rinnalla_billing.domain import agreement as agreement_aggregate
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import document as document_aggregate
from rinnalla_billing.domain import erp, runs, sib
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain import series as series_aggregate
from rinnalla_billing.domain.erp import AcknowledgeFeed
from rinnalla_billing.domain.errors import NotFound
from rinnalla_billing.domain.facts import PartnershipFacts
from rinnalla_billing.domain.periods import period_of

MAX_ATTEMPTS = 50


def _result(kind: str, stream_id: str, changes: list[StreamEvents]) -> dict[str, object]:
    return {
        "kind": kind,
        "id": stream_id,
        "events": [event.event_type for change in changes for event in change.events],
        "documents": sorted(
            {ch.stream_id for ch in changes if ch.stream_type == document_aggregate.STREAM_TYPE and ch.events}
        ),
    }


async def retrying(attempt: Callable[[], Awaitable[Outcome]], attempts: int = MAX_ATTEMPTS) -> Outcome:
    """Run `attempt` again after a concurrency conflict (each run loads afresh), at most `attempts` times."""
    for remaining in range(attempts - 1, -1, -1):
        try:
            return await attempt()
        except ConcurrencyConflict:
            if remaining == 0:
                raise
    raise AssertionError("unreachable")


async def _facts(facts: EnrollmentFacts, partnership_id: str) -> PartnershipFacts:
    known = await facts.partnership(partnership_id)
    if known is None:
        raise NotFound("agreement_id", f"enrollment has recorded no partnership {partnership_id} (yet)")
    return known


# --- agreements ----------------------------------------------------------------------------------


async def set_up_agreement(
    writer: CommandWriter, guard: Guard, facts: EnrollmentFacts, command: c.SetUpAgreement
) -> Outcome:
    known = await facts.partnership(command.agreement_id)
    if known is not None:
        guard.tenant(known.municipality_code)
    loaded = await writer.load(AGREEMENT, command.agreement_id)
    events = agreement_aggregate.set_up(loaded.state, known, command)
    changes = [StreamEvents(AGREEMENT.stream_type, command.agreement_id, tuple(events))]
    tenant = known.municipality_code if known is not None else None
    return await writer.commit(changes, _result("agreement", command.agreement_id, changes), tenant=tenant)


async def change_agreement(
    writer: CommandWriter, guard: Guard, command: c.AmendAgreement | c.AdjustPriceByIndex | c.TerminateAgreement
) -> Outcome:
    loaded = await writer.load(AGREEMENT, command.agreement_id)
    if loaded.state.exists:
        guard.tenant(loaded.state.municipality_code)
    events = agreement_aggregate.decide(loaded.state, command)
    changes = [StreamEvents(AGREEMENT.stream_type, command.agreement_id, tuple(events))]
    return await writer.commit(
        changes, _result("agreement", command.agreement_id, changes), tenant=loaded.state.municipality_code
    )


# --- billing runs --------------------------------------------------------------------------------


async def draft(
    writer: CommandWriter, guard: Guard, facts: EnrollmentFacts, command: c.DraftInvoices | c.DraftCorrections
) -> Outcome:
    terms = await writer.load(AGREEMENT, command.agreement_id)
    if not terms.state.exists:
        raise NotFound("agreement_id", f"agreement {command.agreement_id} is not set up")
    guard.tenant(terms.state.municipality_code)
    account = await writer.load(ACCOUNT, command.agreement_id)
    known = await _facts(facts, command.agreement_id)
    period = period_of(terms.state.frequency, command.period) if isinstance(command, c.DraftInvoices) else None
    changes = runs.draft_run(terms.state, account.state, known, period)
    return await writer.commit(
        changes, _result("agreement", command.agreement_id, changes), tenant=terms.state.municipality_code
    )


# --- documents -----------------------------------------------------------------------------------


async def _document(writer: CommandWriter, guard: Guard, document_id: str) -> document_aggregate.DocumentState:
    loaded = await writer.load(DOCUMENT, document_id)
    drafted = document_aggregate.require_exists(loaded.state, document_id)
    guard.tenant(drafted.municipality_code)
    return loaded.state


async def issue_document(writer: CommandWriter, guard: Guard, command: c.IssueDocument) -> Outcome:
    state = await _document(writer, guard, command.document_id)
    drafted = document_aggregate.require_draft(state, command.document_id)
    account = await writer.load(ACCOUNT, drafted.agreement_id)
    series_id = series_aggregate.series_id(drafted.seller.business_id, command.today.year)
    series = await writer.load(SERIES, series_id)
    cited = (await writer.load(DOCUMENT, drafted.cites.invoice_id)).state if drafted.cites is not None else None
    changes = runs.issue(state, command.document_id, account.state, series.state, cited, command.today)
    result = _result("document", command.document_id, changes)
    return await writer.commit(changes, result, tenant=drafted.municipality_code)


async def discard_draft(writer: CommandWriter, guard: Guard, command: c.DiscardDraft) -> Outcome:
    state = await _document(writer, guard, command.document_id)
    drafted = document_aggregate.require_draft(state, command.document_id)
    await writer.load(ACCOUNT, drafted.agreement_id)
    changes = runs.discard(state, command.document_id, command.reason)
    return await writer.commit(
        changes, _result("document", command.document_id, changes), tenant=drafted.municipality_code
    )


async def on_document(
    writer: CommandWriter, guard: Guard, command: c.RecordDelivery | c.RecordDeliveryFailure | c.RecordPayment
) -> Outcome:
    state = await _document(writer, guard, command.document_id)
    events = document_aggregate.decide(state, command)
    changes = [StreamEvents(DOCUMENT.stream_type, command.document_id, tuple(events))]
    assert state.drafted is not None
    return await writer.commit(
        changes, _result("document", command.document_id, changes), tenant=state.drafted.municipality_code
    )


# --- ERP -----------------------------------------------------------------------------------------


async def acknowledge_feed(writer: CommandWriter, guard: Guard, command: AcknowledgeFeed) -> Outcome:
    """The ERP client acknowledges the feed up to a cursor (its own stream: no tenant to check)."""
    loaded = await writer.load(ERP_CLIENT, command.client_id)
    events = erp.decide(loaded.state, command)
    changes = [StreamEvents(ERP_CLIENT.stream_type, command.client_id, tuple(events))]
    return await writer.commit(changes, _result("erp_client", command.client_id, changes))


# --- SIB outcome contracts -----------------------------------------------------------------------


async def set_up_sib_contract(writer: CommandWriter, guard: Guard, command: sib.SetUpSibContract) -> Outcome:
    guard.tenant(command.municipality_code)
    loaded = await writer.load(SIB_CONTRACT, command.contract_id)
    if loaded.state.contract is not None:
        guard.tenant(loaded.state.contract.municipality_code)
    changes = [StreamEvents(SIB_CONTRACT.stream_type, command.contract_id, tuple(sib.set_up(loaded.state, command)))]
    return await writer.commit(changes, _result("sib_contract", command.contract_id, changes),
                               tenant=command.municipality_code)


async def _contract(writer: CommandWriter, guard: Guard, contract_id: str) -> sib.SibState:
    loaded = await writer.load(SIB_CONTRACT, contract_id)
    if loaded.state.contract is None:
        raise NotFound("contract_id", f"contract {contract_id} is not set up")
    guard.tenant(loaded.state.contract.municipality_code)
    return loaded.state


async def on_sib_result(
    writer: CommandWriter, guard: Guard, command: sib.SubmitResult | sib.VerifyResult | sib.DisputeResult
) -> Outcome:
    state = await _contract(writer, guard, command.contract_id)
    changes = [StreamEvents(SIB_CONTRACT.stream_type, command.contract_id, tuple(sib.decide(state, command)))]
    assert state.contract is not None
    return await writer.commit(changes, _result("sib_contract", command.contract_id, changes),
                               tenant=state.contract.municipality_code)


async def record_reinvestment(writer: CommandWriter, guard: Guard, command: sib.RecordReinvestment) -> Outcome:
    state = await _contract(writer, guard, command.contract_id)
    assert state.contract is not None
    changes = [StreamEvents(SIB_CONTRACT.stream_type, command.contract_id, tuple(sib.reinvest(state, command)))]
    return await writer.commit(changes, _result("sib_contract", command.contract_id, changes),
                               tenant=state.contract.municipality_code)


async def bill_outcome_payment(writer: CommandWriter, guard: Guard, command: sib.BillOutcomePayment) -> Outcome:
    """Compute the payment of a verified result and draft its invoice from the fund to the outcome payer
    (issued like every invoice, in the fund's number series)."""
    state = await _contract(writer, guard, command.contract_id)
    contract = state.contract
    assert contract is not None
    billed, metric, period = sib.bill(state, command)
    days = (period.end - period.start).days + 1
    line = e.ChargeLine(
        item=e.LineItem.OUTCOME_PAYMENT, team_id=metric.metric_id, team_name=metric.name, period=period.period_id,
        period_start=period.start, period_end=period.end, active_days=days, period_days=days,
        amount_cents=billed.amount_cents, booked_before_cents=0,
    )
    drafted = e.DocumentDrafted(
        document_id=billed.document_id, kind=e.DocumentKind.INVOICE,
        agreement_id=sib.account_id(contract.contract_id),
        municipality_code=contract.municipality_code, run_period=period.period_id, seller=contract.fund,
        payer=contract.outcome_payer, vat=contract.vat, payment_terms_days=21, lines=(line,),
        total_cents=billed.amount_cents, vat_cents=0, cites=None,
    )
    await writer.load(DOCUMENT, billed.document_id)
    changes = [
        StreamEvents(SIB_CONTRACT.stream_type, command.contract_id, (billed,)),
        StreamEvents(DOCUMENT.stream_type, billed.document_id, (drafted,)),
    ]
    return await writer.commit(changes, _result("sib_contract", command.contract_id, changes),
                               tenant=contract.municipality_code)
