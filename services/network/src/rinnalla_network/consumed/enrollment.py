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
    email: Annotated[str, GuardianPersonal] = ""


class ChildEnrolled(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildEnrolled"
    child_id: str
    team_id: str
    enrolled_on: date
    given_names: Annotated[str, ChildPersonal]
    family_name: Annotated[str, ChildPersonal]
    hetu: Annotated[str, ChildPersonal]
    date_of_birth: Annotated[str, ChildPersonal]
    guardians: tuple[Guardian, ...]
    consent_id: str
    at: AwareDatetime


class GuardiansInformed(ConsumedEvent):
    """The guardians were told of the nomination: the first record of the guardians and of the child's date
    of birth (a nomination is minimised)."""

    event_type: ClassVar[str] = "enrollment.GuardiansInformed"
    child_id: str
    guardians: tuple[Guardian, ...]
    date_of_birth: Annotated[str, ChildPersonal] = ""
    at: AwareDatetime


class GuardiansChanged(ConsumedEvent):
    """From `at` on, these people are the child's guardians (joint custody needs each one's consent)."""

    event_type: ClassVar[str] = "enrollment.GuardiansChanged"
    child_id: str
    guardians: tuple[Guardian, ...]
    at: AwareDatetime


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
    given_by: str
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
    withdrawn_by: str
    at: AwareDatetime


class ConsentRefused(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ConsentRefused"
    # v2 added who recorded it and the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    subject_id: str
    purpose: str
    refused_by: str
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
    # v2: the guardians the minor refuses as recipients (v1 named none)
    guardian_ids: tuple[str, ...] = ()


class MinorProhibitionLifted(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MinorProhibitionLifted"
    # v2 added the evidence, which this reader does not read: both versions read as they are
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int] = 1
    child_id: str
    purpose: str | None
    at: AwareDatetime


class SharingConsentsEnded(ConsumedEvent):
    """The child's sharing consents ended together (the child left the programme): each one expires."""

    event_type: ClassVar[str] = "enrollment.SharingConsentsEnded"
    child_id: str
    consent_ids: tuple[str, ...]
    at: AwareDatetime


class MinorUnderstandingAssessed(ConsumedEvent):
    """A professional assessed whether the minor understands the matter (the minor's prohibition needs it)."""

    event_type: ClassVar[str] = "enrollment.MinorUnderstandingAssessed"
    child_id: str
    purpose: str | None
    understands: bool
    assessed_by: str
    at: AwareDatetime


class CustodyExceptionRecorded(ConsumedEvent):
    """One guardian decides alone (sole custody, a court-ordered division, the other unable to act)."""

    event_type: ClassVar[str] = "enrollment.CustodyExceptionRecorded"
    child_id: str
    exception_id: str
    guardian_id: str
    kind: str
    purposes: tuple[str, ...]
    valid_until: AwareDatetime | None
    at: AwareDatetime


ENROLLMENT_READERS: tuple[type[ConsumedEvent], ...] = (
    ChildEnrolled,
    GuardiansInformed,
    GuardiansChanged,
    ChildExited,
    MentorAssigned,
    MentorLeft,
    ConsentGiven,
    ConsentWithdrawn,
    ConsentRefused,
    ConsentExpired,
    MinorProhibitionRecorded,
    MinorProhibitionLifted,
    SharingConsentsEnded,
    MinorUnderstandingAssessed,
    CustodyExceptionRecorded,
)
"""Every enrollment event the network service reads, for its registry."""
