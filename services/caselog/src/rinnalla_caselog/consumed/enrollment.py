"""What the case log reads from enrollment: who mentors which team, which children are in it, and what
the guardians consented to (a note may be shared only within a purpose consented to).

No personal field is read: the case log keys everything by child id and mentor id.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import AwareDatetime
from rinnalla_events import ConsumedEvent


class MentorAssigned(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MentorAssigned"
    team_id: str
    mentor_id: str
    role: str
    starts_on: date


class MentorLeft(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MentorLeft"
    team_id: str
    mentor_id: str
    left_on: date
    successor_id: str | None = None


class ChildJoinedTeam(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildJoinedTeam"
    team_id: str
    child_id: str
    joined_on: date


class ChildLeftTeam(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildLeftTeam"
    team_id: str
    child_id: str
    left_on: date


class ConsentGiven(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentGiven"
    # v2 added who recorded it and the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    consent_id: str
    purpose: str
    at: AwareDatetime
    valid_until: AwareDatetime | None = None


class ConsentWithdrawn(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentWithdrawn"
    # v2 added who recorded it and the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    consent_id: str
    at: AwareDatetime


class ConsentRefused(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentRefused"
    # v2 added who recorded it and the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    purpose: str
    at: AwareDatetime


class ConsentExpired(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentExpired"
    child_id: str
    consent_id: str
    at: AwareDatetime


class MinorProhibitionRecorded(ConsumedEvent):
    """The child (old enough to understand) forbade sharing for a purpose; None: for every purpose."""

    event_type: ClassVar[str] = "enrollment.MinorProhibitionRecorded"
    # v2 added the guardians a minor refuses and the evidence, which this reader does not read:
    # both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    purpose: str | None
    at: AwareDatetime


class MinorProhibitionLifted(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MinorProhibitionLifted"
    # v2 added the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    purpose: str | None
    at: AwareDatetime


ENROLLMENT_READERS: tuple[type[ConsumedEvent], ...] = (
    MentorAssigned,
    MentorLeft,
    ChildJoinedTeam,
    ChildLeftTeam,
    ConsentGiven,
    ConsentWithdrawn,
    ConsentRefused,
    ConsentExpired,
    MinorProhibitionRecorded,
    MinorProhibitionLifted,
)
"""Every enrollment event the case log reads, for its registry."""
