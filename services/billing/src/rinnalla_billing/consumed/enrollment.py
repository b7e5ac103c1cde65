"""What billing reads from enrollment: partnership agreements and their teams, when a team starts and
stops (what is invoiced, for which months), and who committed how much funding to a team.

No personal field is read (ADR 0004: billing reads no kind of person).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from rinnalla_events import ConsumedEvent


class FundingSource(StrEnum):
    """Who pays decides the invoice's channel (Peppol to a municipality or county, none for a foundation);
    a new source must be billed deliberately, so this enum is not widened to str."""

    MUNICIPALITY = "municipality"
    WELLBEING_COUNTY = "wellbeing_county"
    FOUNDATION = "foundation"
    SIB_CONTRACT = "sib_contract"
    OTHER = "other"


class PartnershipOpened(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.PartnershipOpened"
    partnership_id: str
    municipality_code: str


class PartnershipAgreementSigned(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.PartnershipAgreementSigned"
    partnership_id: str
    signed_on: date
    team_count: int
    valid_from: date
    valid_until: date | None
    annual_amount_eur: Decimal | None


class TeamAddedToPartnership(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.TeamAddedToPartnership"
    partnership_id: str
    team_id: str


class TeamFounded(ConsumedEvent):
    """Only the team's name (invoices name teams) and partnership; no school, no child."""

    event_type: ClassVar[str] = "enrollment.TeamFounded"
    team_id: str
    name: str
    municipality_code: str
    partnership_id: str | None


class TeamActivated(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.TeamActivated"
    team_id: str
    activated_on: date


class TeamTerminated(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.TeamTerminated"
    team_id: str
    terminated_on: date
    reason: str


class TeamCompleted(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.TeamCompleted"
    team_id: str
    completed_on: date


class PartnershipEnded(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.PartnershipEnded"
    partnership_id: str
    ended_on: date


class FundingCommitted(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.FundingCommitted"
    team_id: str
    year: int
    source: FundingSource
    funder: str
    amount_eur: Decimal


ENROLLMENT_READERS: tuple[type[ConsumedEvent], ...] = (
    PartnershipOpened,
    PartnershipAgreementSigned,
    TeamFounded,
    TeamAddedToPartnership,
    TeamActivated,
    TeamTerminated,
    TeamCompleted,
    PartnershipEnded,
    FundingCommitted,
)
"""Every enrollment event billing reads, for its registry."""
