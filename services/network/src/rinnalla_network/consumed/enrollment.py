"""What the network service reads from enrollment: the enrolled child and their guardians (a referral
names the child and a family partner contacts the guardians), the child's exit (open referrals close),
the team's mentors (a referral's contact person), and the consents that scope a referral packet.

Names, the identity code and the guardians' contact details are personal: they arrive decrypted, or as
"[erased]" / "[not disclosed]" (ADR 0004: network reads children and guardians, not staff).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AwareDatetime
from rinnalla_events import ConsumedEvent, ConsumedValue, Personal

ChildPersonal = Personal(subject_field="child_id")
GuardianPersonal = Personal(subject_field="guardian_id")


class Guardian(ConsumedValue):
    guardian_id: str
    given_names: Annotated[str, GuardianPersonal]
    family_name: Annotated[str, GuardianPersonal]
    phone: Annotated[str, GuardianPersonal] = ""


class ChildEnrolled(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildEnrolled"
    child_id: str
    team_id: str
    enrolled_on: date
    given_names: Annotated[str, ChildPersonal]
    family_name: Annotated[str, ChildPersonal]
    hetu: Annotated[str, ChildPersonal]
    guardians: tuple[Guardian, ...]
    consent_id: str


class ChildExited(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildExited"
    # v2 added exit reasons only; `reason` is read as text, so both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    team_id: str
    exited_on: date
    reason: str


class MentorAssigned(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MentorAssigned"
    team_id: str
    mentor_id: str
    starts_on: date


class MentorLeft(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MentorLeft"
    team_id: str
    mentor_id: str
    left_on: date


class ConsentGiven(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentGiven"
    # v2 added who recorded it and the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    consent_id: str
    subject_id: str
    purpose: str
    at: AwareDatetime
    valid_from: AwareDatetime | None = None
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
    subject_id: str
    purpose: str
    at: AwareDatetime


class ConsentExpired(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentExpired"
    child_id: str
    consent_id: str
    at: AwareDatetime


class MinorProhibitionRecorded(ConsumedEvent):
    """The child forbade sharing for a purpose (None: for every purpose): no referral packet carries it."""

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
    ChildEnrolled,
    ChildExited,
    MentorAssigned,
    MentorLeft,
    ConsentGiven,
    ConsentWithdrawn,
    ConsentRefused,
    ConsentExpired,
    MinorProhibitionRecorded,
    MinorProhibitionLifted,
)
"""Every enrollment event the network service reads, for its registry."""
