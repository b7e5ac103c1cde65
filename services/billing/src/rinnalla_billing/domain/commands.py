"""Commands: what a user (or the ERP) asks billing to do. Business dates are calendar dates; `today` is the
service's day when the command is made (from the server clock)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rinnalla_billing.domain.periods import Frequency
from rinnalla_billing.domain.values import (
    DEFAULT_PAYMENT_TERMS_DAYS,
    DEFAULT_PRICE_PER_TEAM_CENTS,
    MAX_PAYERS,
    Cents,
    Day,
    Id,
    PayerTerms,
    Seller,
    Text,
    VatTreatment,
)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class SetUpAgreement(Command):
    """Billing terms for a partnership recorded by enrollment (the agreement's id is the partnership's)."""

    agreement_id: Id
    seller: Seller
    frequency: Frequency = Frequency.QUARTERLY
    price_per_team_cents: Cents = DEFAULT_PRICE_PER_TEAM_CENTS
    payers: tuple[PayerTerms, ...] = Field(max_length=MAX_PAYERS)
    vat: VatTreatment = VatTreatment()
    payment_terms_days: int = Field(default=DEFAULT_PAYMENT_TERMS_DAYS, ge=0, le=120)
    valid_from: Day
    valid_until: Day | None = None


class AmendAgreement(Command):
    agreement_id: Id
    effective_from: Day
    price_per_team_cents: Cents | None = None
    payers: tuple[PayerTerms, ...] | None = Field(default=None, max_length=MAX_PAYERS)
    vat: VatTreatment | None = None
    reason: Reason


class AdjustPriceByIndex(Command):
    agreement_id: Id
    effective_from: Day
    index_change_basis_points: int = Field(ge=-5_000, le=5_000, description="+310 for a 3.10 % rise")


class TerminateAgreement(Command):
    agreement_id: Id
    terminated_on: Day
    reason: Reason


class DraftInvoices(Command):
    """Draft the period's invoices (one per payer) and the corrections of earlier periods that late events
    call for (more on the invoice, less on credit notes citing the invoices they correct)."""

    agreement_id: Id
    period: Text
    today: Day


class DraftCorrections(Command):
    """Draft only the corrections of periods already invoiced (after a late event, or a termination)."""

    agreement_id: Id
    today: Day


class IssueDocument(Command):
    document_id: Id
    today: Day


class DiscardDraft(Command):
    document_id: Id
    reason: Reason


class RecordDelivery(Command):
    document_id: Id
    channel: Annotated[str, StringConstraints(pattern=r"^(peppol|finvoice|print|email)$")] = "peppol"
    delivered_on: Day


class RecordDeliveryFailure(Command):
    document_id: Id
    channel: Annotated[str, StringConstraints(pattern=r"^(peppol|finvoice|print|email)$")] = "peppol"
    failed_on: Day
    reason: Reason


class RecordPayment(Command):
    document_id: Id
    payment_id: Id
    amount_cents: Cents
    paid_on: Day
