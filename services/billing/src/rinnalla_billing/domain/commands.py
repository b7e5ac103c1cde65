"""Commands: what a user (or the ERP) asks billing to do. Business dates are calendar dates; `today` is the
service's day when the command is made (from the server clock)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rinnalla_billing.domain.periods import Frequency
from rinnalla_billing.domain.values import (
    DEFAULT_PAYMENT_TERMS_DAYS,
    DEFAULT_PRICE_PER_TEAM_CENTS,
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
    price_per_team_cents: int = Field(default=DEFAULT_PRICE_PER_TEAM_CENTS, gt=0)
    payers: tuple[PayerTerms, ...]
    vat: VatTreatment = VatTreatment()
    payment_terms_days: int = Field(default=DEFAULT_PAYMENT_TERMS_DAYS, ge=0, le=120)
    valid_from: date
    valid_until: date | None = None


class AmendAgreement(Command):
    agreement_id: Id
    effective_from: date
    price_per_team_cents: int | None = Field(default=None, gt=0)
    payers: tuple[PayerTerms, ...] | None = None
    vat: VatTreatment | None = None
    reason: Reason


class AdjustPriceByIndex(Command):
    agreement_id: Id
    effective_from: date
    index_change_basis_points: int = Field(ge=-5_000, le=5_000, description="+310 for a 3.10 % rise")


class TerminateAgreement(Command):
    agreement_id: Id
    terminated_on: date
    reason: Reason


class DraftInvoices(Command):
    """Draft the period's invoices (one per payer) and the corrections of earlier periods that late events
    call for (more on the invoice, less on credit notes citing the invoices they correct)."""

    agreement_id: Id
    period: Text
    today: date


class DraftCorrections(Command):
    """Draft only the corrections of periods already invoiced (after a late event, or a termination)."""

    agreement_id: Id
    today: date


class IssueDocument(Command):
    document_id: Id
    today: date


class DiscardDraft(Command):
    document_id: Id
    reason: Reason


class RecordDelivery(Command):
    document_id: Id
    channel: Annotated[str, StringConstraints(pattern=r"^(peppol|finvoice|print|email)$")] = "peppol"
    delivered_on: date


class RecordDeliveryFailure(Command):
    document_id: Id
    channel: Annotated[str, StringConstraints(pattern=r"^(peppol|finvoice|print|email)$")] = "peppol"
    failed_on: date
    reason: Reason


class RecordPayment(Command):
    document_id: Id
    payment_id: Id
    amount_cents: int = Field(gt=0)
    paid_on: date
