"""What billing reads from enrollment: partnership agreements and their teams, when a team starts and
stops (what is invoiced, for which months), who committed how much funding to a team, and when a child
joins or leaves a team (for the cost per child-year).

No personal field is read (ADR 0004: billing reads no kind of person), and of the children's events not
even the child's id: only the team and the day, so billing counts children per team and day.
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
    """v2 encrypts the free-text details with the team's record key; billing reads neither version's text."""

    event_type: ClassVar[str] = "enrollment.TeamTerminated"
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int | None] = 1
    team_id: str
    terminated_on: date
    reason: str


class TeamCompleted(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.TeamCompleted"
    team_id: str
    completed_on: date


class PartnershipEnded(ConsumedEvent):
    """v2 encrypts the free-text reason with the partnership's record key; billing does not read it."""

    event_type: ClassVar[str] = "enrollment.PartnershipEnded"
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int | None] = 1
    partnership_id: str
    ended_on: date


class FundingCommitted(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.FundingCommitted"
    team_id: str
    year: int
    source: FundingSource
    funder: str
    amount_eur: Decimal


class ChildEnrolled(ConsumedEvent):
    """A child joins a team: only the team and the day."""

    event_type: ClassVar[str] = "enrollment.ChildEnrolled"
    team_id: str
    enrolled_on: date


class ChildExited(ConsumedEvent):
    """A child leaves the team (v2 only added what this reader does not use)."""

    event_type: ClassVar[str] = "enrollment.ChildExited"
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int | None] = 1
    team_id: str
    exited_on: date


class ChildTransferred(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildTransferred"
    from_team_id: str
    to_team_id: str
    transferred_on: date


class ChildCompletedProgramme(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildCompletedProgramme"
    team_id: str
    completed_on: date


MEMBERSHIP_READERS: tuple[type[ConsumedEvent], ...] = (
    ChildEnrolled, ChildExited, ChildTransferred, ChildCompletedProgramme,
)
"""The children's events billing counts team members by."""

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
    *MEMBERSHIP_READERS,
)
"""Every enrollment event billing reads, for its registry."""
