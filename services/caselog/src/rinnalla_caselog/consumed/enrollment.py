"""What the case log reads from enrollment: the teams and their municipality and wellbeing county, who
mentors which team and from when to when, which children are in it, when a child's participation ends,
and what the guardians consented to.

Who may write in the case log is decided from these facts (the mentor of the child's team on the entry's
date, or a coordinator of the team's municipality). The one personal field read is the child's date of
birth (for ages: the SDQ self-report is for 11-17-year-olds); it arrives decrypted, or as "[erased]".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AwareDatetime
from rinnalla_events import ConsumedEvent, ConsumedValue, Personal

ChildPersonal = Personal(subject_field="child_id")


class TeamFounded(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.TeamFounded"
    team_id: str
    name: str
    municipality_code: str
    county_code: str
    founded_on: date


class GuardianRef(ConsumedValue):
    """A guardian by id only: the case log reads no guardian's personal data (ADR 0004)."""

    guardian_id: str


class ChildEnrolled(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildEnrolled"
    child_id: str
    team_id: str
    enrolled_on: date
    date_of_birth: Annotated[str, ChildPersonal]
    """An ISO date, or "[erased]" / "[not disclosed]"."""
    guardians: tuple[GuardianRef, ...]
    at: AwareDatetime


class GuardiansInformed(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.GuardiansInformed"
    child_id: str
    guardians: tuple[GuardianRef, ...]
    date_of_birth: Annotated[str, ChildPersonal] = ""
    at: AwareDatetime


class GuardiansChanged(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.GuardiansChanged"
    child_id: str
    guardians: tuple[GuardianRef, ...]
    at: AwareDatetime


class ChildPermanentIdentityCodeRecorded(ConsumedEvent):
    """Only the date of birth is read (a temporary identity code may have carried a provisional one)."""

    event_type: ClassVar[str] = "enrollment.ChildPermanentIdentityCodeRecorded"
    child_id: str
    date_of_birth: Annotated[str, ChildPersonal]
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


class ChildCompletedProgramme(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.ChildCompletedProgramme"
    child_id: str
    team_id: str
    completed_on: date


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


class SharingConsentsEnded(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.SharingConsentsEnded"
    child_id: str
    consent_ids: tuple[str, ...]
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


class MinorUnderstandingAssessed(ConsumedEvent):
    event_type: ClassVar[str] = "enrollment.MinorUnderstandingAssessed"
    child_id: str
    purpose: str | None
    understands: bool
    assessed_by: str
    at: AwareDatetime


ENROLLMENT_READERS: tuple[type[ConsumedEvent], ...] = (
    TeamFounded,
    ChildEnrolled,
    ChildExited,
    ChildCompletedProgramme,
    GuardiansInformed,
    GuardiansChanged,
    ChildPermanentIdentityCodeRecorded,
    MentorAssigned,
    MentorLeft,
    ChildJoinedTeam,
    ChildLeftTeam,
    ConsentGiven,
    ConsentWithdrawn,
    ConsentRefused,
    ConsentExpired,
    SharingConsentsEnded,
    MinorProhibitionRecorded,
    MinorProhibitionLifted,
    MinorUnderstandingAssessed,
)
"""Every enrollment event the case log reads, for its registry."""
