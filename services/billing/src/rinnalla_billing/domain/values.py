"""Value types of billing agreements: the seller, the payers with their e-invoicing details, VAT treatment."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]

# Bounds of what a command may carry: wide enough for every real value, narrow enough that no request can make
# an event the bus cannot carry. One place, visible in the OpenAPI schema; the domain rules refine them.
MAX_CENTS = 10_000_000_000  # 100 million euros: above any agreement's, contract's or payment's amount
Cents = Annotated[int, Field(gt=0, le=MAX_CENTS)]
"""A positive amount of money in cents."""
EARLIEST_DAY = date(1990, 1, 1)  # before the programme began: older records do not exist
LATEST_DAY = date(2100, 12, 31)
Day = Annotated[
    date,
    Field(
        ge=EARLIEST_DAY,
        le=LATEST_DAY,
        json_schema_extra={"formatMinimum": EARLIEST_DAY.isoformat(), "formatMaximum": LATEST_DAY.isoformat()},
    ),
]
"""A business date within the years billing can concern."""
MAX_PAYERS = 10  # a municipality and a wellbeing services county, now and then a foundation
MAX_PARTIES = 20  # the providers of an outcome contract
MAX_METRICS = 20  # the outcome metrics of an outcome contract
MAX_PERIODS = 40  # its measurement periods (quarterly over a ten-year horizon)

DEFAULT_PRICE_PER_TEAM_CENTS = 6_000_000  # 60,000.00 EUR per team per year
DEFAULT_PAYMENT_TERMS_DAYS = 21


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Seller(Value):
    """Who invoices: the organisation running the teams, its Y-tunnus, e-invoicing address and bank account."""

    name: Text
    business_id: str = Field(description="Y-tunnus, e.g. 2344765-4")
    peppol_id: str = Field(description="Peppol participant id in the OVT scheme: 0216:0037<Y-tunnus digits>")
    iban: Annotated[str, StringConstraints(pattern=r"^FI\d{16}$")] = Field(description="Finnish IBAN, no spaces")
    bic: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$")]


class PayerKind(StrEnum):
    MUNICIPALITY = "municipality"
    WELLBEING_SERVICES_COUNTY = "wellbeing_services_county"
    OTHER = "other"


class PayerTerms(Value):
    """One payer of the agreement: its share of every team's price and where its invoices go."""

    payer_id: Id = Field(description="a stable id of the payer within the agreement, e.g. city or county")
    kind: PayerKind
    name: Text
    business_id: str = Field(description="the payer's Y-tunnus")
    share_basis_points: int = Field(description="the payer's share of each team's price, 1/100 of a percent")
    peppol_id: str = Field(description="the payer's e-invoicing address, 0216:<OVT code>")
    buyer_reference: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="the buyer reference or order number the payer's ERP routes the invoice by"
    )


class VatCategory(StrEnum):
    EXEMPT = "E"
    STANDARD = "S"


class VatTreatment(Value):
    """Exempt with a reason by default: social welfare services are exempt from VAT (AVL 37 §, VAT
    directive art. 132(1)(g)). A standard-rated agreement names its rate."""

    category: VatCategory = VatCategory.EXEMPT
    rate_basis_points: int = Field(default=0, ge=0, le=10_000, description="2550 for 25.5 %; 0 when exempt")
    exemption_reason_code: str = "VATEX-EU-132-1G"
    exemption_reason: str = "Exempt social welfare services (AVL 37 §)"
