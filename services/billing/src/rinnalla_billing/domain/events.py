"""Events of the billing service: past tense, stable dotted names, schema versions. They name
organisations, teams and periods, never a person (ADR 0004: billing reads no kind of person); free text
typed by staff is encrypted with a key of billing's own record (kind `billing_record`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from rinnalla_events import DomainEvent, Personal, SubjectKinds

from rinnalla_billing.domain.erp import FeedAcknowledged
from rinnalla_billing.domain.periods import Frequency
from rinnalla_billing.domain.values import PayerTerms, Seller, Value, VatTreatment

# Free text is personal by default: a reason typed by staff can name a person. Billing's free text is
# encrypted with a key of its own record (kind `billing_record`, ADR 0004): the agreement's for an
# agreement's reasons, the document's for a document's, shredded when that record's free text is erased.
RecordPersonal = Personal(subject_field="record_id")
RECORD_KIND = SubjectKinds.BILLING_RECORD


def agreement_record(agreement_id: str) -> str:
    """The key subject of an agreement's free text."""
    return f"{RECORD_KIND}-agreement-{agreement_id}"


def document_record(document_id: str) -> str:
    """The key subject of a document's free text."""
    return f"{RECORD_KIND}-document-{document_id}"


# --- Agreement -------------------------------------------------------------------------------------


class AgreementSetUp(DomainEvent):
    """The billing terms of a partnership agreement (the agreement id is the partnership's id)."""

    event_type: ClassVar[str] = "billing.AgreementSetUp"
    agreement_id: str
    municipality_code: str
    seller: Seller
    frequency: Frequency
    price_per_team_cents: int
    payers: tuple[PayerTerms, ...]
    vat: VatTreatment
    payment_terms_days: int
    valid_from: date
    valid_until: date | None


class AgreementAmended(DomainEvent):
    """From `effective_from` on (a period starting that day or later), these terms replace the earlier ones.
    v2: the free-text reason is encrypted with the agreement's record key (`record_id`); v1 payloads
    (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "billing.AgreementAmended"
    schema_version: ClassVar[int] = 2
    agreement_id: str
    effective_from: date
    price_per_team_cents: int
    payers: tuple[PayerTerms, ...]
    vat: VatTreatment
    record_id: str
    reason: Annotated[str, RecordPersonal]


class PriceIndexAdjusted(DomainEvent):
    event_type: ClassVar[str] = "billing.PriceIndexAdjusted"
    agreement_id: str
    effective_from: date
    index_change_basis_points: int
    price_per_team_cents: int


class AgreementTerminated(DomainEvent):
    """No charges after `terminated_on` (its last day); what was invoiced beyond it is credited.
    v2: the free-text reason is encrypted with the agreement's record key (`record_id`); v1 payloads
    (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "billing.AgreementTerminated"
    schema_version: ClassVar[int] = 2
    agreement_id: str
    terminated_on: date
    record_id: str
    reason: Annotated[str, RecordPersonal]


# --- Documents (invoices and credit notes) ---------------------------------------------------------


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class LineItem(StrEnum):
    TEAM = "team"
    OUTCOME_PAYMENT = "outcome_payment"


class ChargeLine(Value):
    """One team's charge for one period and one payer (negative on a credit note's correction); on an
    outcome payment's invoice, the payment for one metric (`team_id` and `team_name` name the metric) and
    measurement period."""

    item: LineItem = LineItem.TEAM
    team_id: str
    team_name: str
    period: str
    period_start: date
    period_end: date
    active_days: int
    period_days: int
    amount_cents: int
    booked_before_cents: int
    """What the payer had been invoiced for this team and period before this document."""


class Cited(Value):
    """The invoice a credit note corrects."""

    invoice_id: str
    invoice_number: str
    issued_on: date


class DocumentDrafted(DomainEvent):
    event_type: ClassVar[str] = "billing.DocumentDrafted"
    document_id: str
    kind: DocumentKind
    agreement_id: str
    municipality_code: str
    run_period: str
    seller: Seller
    payer: PayerTerms
    vat: VatTreatment
    payment_terms_days: int
    lines: tuple[ChargeLine, ...]
    total_cents: int
    """Sum of the lines' amounts, without VAT; positive for both kinds (a credit note's is what it credits)."""
    vat_cents: int
    cites: Cited | None


class DocumentDiscarded(DomainEvent):
    """v2: the free-text reason is encrypted with the document's record key (`record_id`); v1 payloads
    (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "billing.DocumentDiscarded"
    schema_version: ClassVar[int] = 2
    document_id: str
    record_id: str
    reason: Annotated[str, RecordPersonal]


class DocumentIssued(DomainEvent):
    """The document got its number in its series (gapless) and its payment reference; it never changes."""

    event_type: ClassVar[str] = "billing.DocumentIssued"
    document_id: str
    kind: DocumentKind
    series: str
    sequence: int
    number: str
    issued_on: date
    due_on: date
    reference: str
    rf_reference: str


class DocumentDelivered(DomainEvent):
    event_type: ClassVar[str] = "billing.DocumentDelivered"
    document_id: str
    channel: str
    delivered_on: date


class DocumentDeliveryFailed(DomainEvent):
    """v2: the free-text reason is encrypted with the document's record key (`record_id`); v1 payloads
    (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "billing.DocumentDeliveryFailed"
    schema_version: ClassVar[int] = 2
    document_id: str
    channel: str
    failed_on: date
    record_id: str
    reason: Annotated[str, RecordPersonal]


class InvoiceCredited(DomainEvent):
    """A credit note citing this invoice was issued."""

    event_type: ClassVar[str] = "billing.InvoiceCredited"
    document_id: str
    credit_note_id: str
    credit_note_number: str
    amount_cents: int


class PaymentReceived(DomainEvent):
    """A payment the ERP reported; `payment_id` is the ERP's own, so a report repeated counts once."""

    event_type: ClassVar[str] = "billing.PaymentReceived"
    document_id: str
    payment_id: str
    amount_cents: int
    paid_on: date
    paid_total_cents: int
    fully_paid: bool


# --- Account (what each payer was charged per team and period) and number series ---------------------


class BookedLine(Value):
    payer_id: str
    team_id: str
    period: str
    amount_cents: int


class DocumentsPrepared(DomainEvent):
    """A billing run drafted these documents; until they are issued or discarded no other run starts."""

    event_type: ClassVar[str] = "billing.DocumentsPrepared"
    agreement_id: str
    run_period: str
    document_ids: tuple[str, ...]


class ChargesBooked(DomainEvent):
    """An issued document's lines now count as invoiced (credit lines negative)."""

    event_type: ClassVar[str] = "billing.ChargesBooked"
    agreement_id: str
    document_id: str
    number: str
    issued_on: date
    lines: tuple[BookedLine, ...]


class DraftReleased(DomainEvent):
    event_type: ClassVar[str] = "billing.DraftReleased"
    agreement_id: str
    document_id: str


class NumberTaken(DomainEvent):
    """The next number of a series (seller's Y-tunnus and year); the series stream's version is the number."""

    event_type: ClassVar[str] = "billing.NumberTaken"
    series: str
    sequence: int
    document_id: str


AGREEMENT_EVENTS: tuple[type[DomainEvent], ...] = (
    AgreementSetUp, AgreementAmended, PriceIndexAdjusted, AgreementTerminated,
)
DOCUMENT_EVENTS: tuple[type[DomainEvent], ...] = (
    DocumentDrafted, DocumentDiscarded, DocumentIssued, DocumentDelivered, DocumentDeliveryFailed,
    InvoiceCredited, PaymentReceived,
)
ACCOUNT_EVENTS: tuple[type[DomainEvent], ...] = (DocumentsPrepared, ChargesBooked, DraftReleased, NumberTaken)
ALL_EVENTS: tuple[type[DomainEvent], ...] = (
    *AGREEMENT_EVENTS, *DOCUMENT_EVENTS, *ACCOUNT_EVENTS, FeedAcknowledged,
)
"""Invoicing's events; `catalogue.BILLING_EVENTS` adds the outcome contracts'."""
