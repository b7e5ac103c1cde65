"""Document aggregate: an invoice or a credit note, from draft to issued, delivered (or failed delivery,
keeping its number), paid or partly paid, and credited. Once issued its content never changes; only its
delivery, payments and credits are recorded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from rinnalla_events import DomainEvent

from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.errors import InvalidTransition, NotFound, RuleViolated

STREAM_TYPE = "document"


class Stage(StrEnum):
    DRAFT = "draft"
    DISCARDED = "discarded"
    ISSUED = "issued"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"


@dataclass(frozen=True)
class DocumentState:
    drafted: e.DocumentDrafted | None = None
    issued: e.DocumentIssued | None = None
    stage: Stage | None = None
    payments: tuple[str, ...] = ()
    paid_cents: int = 0
    credited_cents: int = 0

    @property
    def exists(self) -> bool:
        return self.drafted is not None

    @property
    def payable_cents(self) -> int:
        """What the payer owes in all (VAT included) less what credit notes took back."""
        assert self.drafted is not None
        return self.drafted.total_cents + self.drafted.vat_cents - self.credited_cents

    @property
    def status(self) -> str:
        """draft, discarded, issued, delivered, delivery_failed, partly_paid, paid or credited."""
        if self.drafted is None or self.stage is None:
            return "none"
        gross = self.drafted.total_cents + self.drafted.vat_cents
        if self.drafted.kind is e.DocumentKind.INVOICE and self.issued is not None:
            if self.credited_cents >= gross:
                return "credited"
            if self.paid_cents > 0:
                return "paid" if self.paid_cents >= self.payable_cents else "partly_paid"
        return self.stage.value


def initial() -> DocumentState:
    return DocumentState()


def evolve(state: DocumentState, event: DomainEvent) -> DocumentState:
    match event:
        case e.DocumentDrafted():
            return DocumentState(drafted=event, stage=Stage.DRAFT)
        case e.DocumentDiscarded():
            return replace(state, stage=Stage.DISCARDED)
        case e.DocumentIssued():
            return replace(state, issued=event, stage=Stage.ISSUED)
        case e.DocumentDelivered():
            return replace(state, stage=Stage.DELIVERED)
        case e.DocumentDeliveryFailed():
            return replace(state, stage=Stage.DELIVERY_FAILED)
        case e.InvoiceCredited():
            return replace(state, credited_cents=state.credited_cents + event.amount_cents)
        case e.PaymentReceived():
            return replace(
                state, payments=(*state.payments, event.payment_id), paid_cents=state.paid_cents + event.amount_cents
            )
    return state


def require_exists(state: DocumentState, document_id: str) -> e.DocumentDrafted:
    if state.drafted is None:
        raise NotFound("document_id", f"document {document_id} does not exist")
    return state.drafted


def require_draft(state: DocumentState, document_id: str) -> e.DocumentDrafted:
    drafted = require_exists(state, document_id)
    if state.stage is not Stage.DRAFT:
        raise InvalidTransition("document_id", f"document {document_id} is {state.stage}: only a draft can change")
    return drafted


def due_on(drafted: e.DocumentDrafted, issued_on: date) -> date:
    return issued_on + timedelta(days=drafted.payment_terms_days)


def decide(
    state: DocumentState,
    command: c.RecordDelivery | c.RecordDeliveryFailure | c.RecordPayment,
) -> list[DomainEvent]:
    match command:
        case c.RecordDelivery():
            _require_issued(state, command.document_id)
            if state.stage is Stage.DELIVERED:
                return []
            return [
                e.DocumentDelivered(
                    document_id=command.document_id, channel=command.channel, delivered_on=command.delivered_on
                )
            ]
        case c.RecordDeliveryFailure():
            _require_issued(state, command.document_id)
            if state.stage is Stage.DELIVERED:
                raise InvalidTransition("document_id", "the document was delivered already")
            return [
                e.DocumentDeliveryFailed(
                    document_id=command.document_id, channel=command.channel, failed_on=command.failed_on,
                    record_id=e.document_record(command.document_id), reason=command.reason,
                )
            ]
        case c.RecordPayment():
            drafted = _require_issued(state, command.document_id)
            if command.payment_id in state.payments:
                return []  # the ERP reported it before: a payment counts once
            if drafted.kind is not e.DocumentKind.INVOICE:
                raise RuleViolated("document_id", "a credit note is not paid; payments are recorded on invoices")
            paid = state.paid_cents + command.amount_cents
            return [
                e.PaymentReceived(
                    document_id=command.document_id, payment_id=command.payment_id, amount_cents=command.amount_cents,
                    paid_on=command.paid_on, paid_total_cents=paid, fully_paid=paid >= state.payable_cents,
                )
            ]


def _require_issued(state: DocumentState, document_id: str) -> e.DocumentDrafted:
    drafted = require_exists(state, document_id)
    if state.issued is None:
        raise InvalidTransition("document_id", f"document {document_id} is {state.stage}: it has not been issued")
    return drafted
