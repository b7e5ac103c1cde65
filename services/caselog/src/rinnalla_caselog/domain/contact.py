"""A contact: the mentor's meeting, lesson, visit or call with one or more children of the team.

One stream per contact, ("contact", <contact id>). The first event records it; a correction is a new
event that supersedes the whole record (never an edit): readers show the latest version, the log keeps
every one. Each child's note is personal data of that child, encrypted with the child's key, so erasing
the child makes it unreadable everywhere.

Rules: not dated in the future, 1 to 720 minutes, at least one child and each child once, and the team
the entry belongs to is decided by the roster (`roster.may_write_all`) before `decide` runs. Only the
mentor who recorded it, or a coordinator of its municipality, corrects a contact; to anyone else it does
not exist (404).

A correction's reason is free text about a contact of several children, personal by default: it is
encrypted with a key of the contact's own record (`record_id`, kind `caselog_record`, ADR 0004).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints
from rinnalla_events import DomainEvent, Personal, SubjectKinds

from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue, NotFound
from rinnalla_caselog.domain.roster import Author, TeamFacts
from rinnalla_caselog.domain.values import (
    MAX_AREAS,
    MAX_TEAM_CHILDREN,
    Day,
    Id,
    OutcomeArea,
    ParticipantRole,
    Setting,
    Value,
    service_day,
)

STREAM_TYPE = "contact"
MAX_MINUTES = 12 * 60
MAX_CHILDREN = MAX_TEAM_CHILDREN

Note = Annotated[str, StringConstraints(max_length=4000), Personal(subject_field="child_id")]
RecordPersonal = Personal(subject_field="record_id")
RECORD_KIND = SubjectKinds.CASELOG_RECORD


def contact_record(contact_id: str) -> str:
    """The key subject of a contact's free text (its corrections' reasons)."""
    return f"{RECORD_KIND}-contact-{contact_id}"


class ContactedChild(Value):
    """One child of a contact: the note about them (personal, theirs) and the outcome areas it served."""

    child_id: Id
    note: Note = ""
    outcome_areas: tuple[OutcomeArea, ...] = ()


class ContactRecorded(DomainEvent):
    event_type: ClassVar[str] = "caselog.ContactRecorded"
    contact_id: str
    team_id: str
    on: date
    minutes: int
    setting: Setting
    participants: tuple[ParticipantRole, ...]
    children: tuple[ContactedChild, ...]
    recorded_by: str
    at: AwareDatetime


class ContactCorrected(DomainEvent):
    """Supersedes the contact's earlier record as a whole; `reason` says what was wrong. v2: the reason is
    encrypted with the contact's record key (`record_id`); v1 payloads (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "caselog.ContactCorrected"
    schema_version: ClassVar[int] = 2
    contact_id: str
    team_id: str
    on: date
    minutes: int
    setting: Setting
    participants: tuple[ParticipantRole, ...]
    children: tuple[ContactedChild, ...]
    corrected_by: str
    record_id: str
    reason: Annotated[str, RecordPersonal]
    at: AwareDatetime


def contact_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """ContactCorrected v1 kept the reason in plaintext: it reads unchanged, with the record key subject."""
    return {"record_id": contact_record(str(payload.get("contact_id", ""))), **payload}


CONTACT_EVENTS: tuple[type[DomainEvent], ...] = (ContactRecorded, ContactCorrected)


class ContactContent(Value):
    on: Day = Field(description="the day of the contact (not in the future)")
    # the rule in check_content answers a length out of range with its reason; the schema shows the same bound
    minutes: int = Field(
        description="its length in minutes, 1-720", json_schema_extra={"minimum": 1, "maximum": MAX_MINUTES}
    )
    setting: Setting
    participants: tuple[ParticipantRole, ...] = Field(
        default=(), max_length=MAX_AREAS, description="who else took part, by role"
    )
    children: tuple[ContactedChild, ...] = Field(
        max_length=MAX_CHILDREN, description="the children, each with a note and outcome areas"
    )


class RecordContact(ContactContent):
    contact_id: Id
    at: AwareDatetime


class CorrectContact(ContactContent):
    contact_id: Id
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    at: AwareDatetime


@dataclass(frozen=True)
class ContactState:
    exists: bool = False
    team_id: str = ""
    on: date | None = None
    recorded_by: str = ""
    child_ids: tuple[str, ...] = ()
    version: int = 0


def initial() -> ContactState:
    return ContactState()


def evolve(state: ContactState, event: DomainEvent) -> ContactState:
    match event:
        case ContactRecorded():
            return ContactState(True, event.team_id, event.on, event.recorded_by,
                                tuple(c.child_id for c in event.children), 1)
        case ContactCorrected():
            return ContactState(True, event.team_id, event.on, state.recorded_by,
                                tuple(c.child_id for c in event.children), state.version + 1)
        case _:
            return state


def check_content(content: ContactContent, today: date) -> None:
    """The rules a contact's content must meet on its own."""
    if content.on > today:
        raise InvalidValue("on", f"{content.on.isoformat()} is in the future (today is {today.isoformat()})")
    if not 1 <= content.minutes <= MAX_MINUTES:
        raise InvalidValue("minutes", f"a contact lasts 1 to {MAX_MINUTES} minutes, not {content.minutes}")
    if not content.children:
        raise InvalidValue("children", "name at least one child")
    if len(content.children) > MAX_CHILDREN:
        raise InvalidValue("children", f"at most {MAX_CHILDREN} children per contact")
    seen: set[str] = set()
    for index, child in enumerate(content.children):
        if child.child_id in seen:
            raise InvalidValue(f"children[{index}].child_id", f"child {child.child_id} is listed twice")
        seen.add(child.child_id)
        if len(set(child.outcome_areas)) != len(child.outcome_areas):
            raise InvalidValue(f"children[{index}].outcome_areas", "an outcome area is listed twice")
    if len(set(content.participants)) != len(content.participants):
        raise InvalidValue("participants", "a role is listed twice")


def decide(
    state: ContactState,
    command: RecordContact | CorrectContact,
    author: Author,
    team: TeamFacts,
    original_team: TeamFacts | None = None,
) -> Sequence[DomainEvent]:
    """`team`: the team the roster says the author writes in for these children on that day;
    `original_team`: for a correction, the team the contact was recorded in (a coordinator of another
    municipality is told it does not exist)."""
    check_content(command, service_day(command.at))
    fields = {
        "contact_id": command.contact_id, "team_id": team.team_id, "on": command.on, "minutes": command.minutes,
        "setting": command.setting, "participants": command.participants, "children": command.children,
        "at": command.at,
    }
    match command:
        case RecordContact():
            if state.exists:
                raise AlreadyExists(
                    "contact_id", f"contact {command.contact_id} is already recorded: correct it instead"
                )
            return [ContactRecorded(**fields, recorded_by=author.person_id)]
        case CorrectContact():
            missing = NotFound("contact_id", f"no contact {command.contact_id} that you may correct")
            if not state.exists:
                raise missing
            if author.coordinator:
                if original_team is None or original_team.municipality_code not in author.tenants:
                    raise missing
            elif author.person_id != state.recorded_by:
                # only its author or a coordinator corrects a contact; to anyone else it does not exist
                raise missing
            return [ContactCorrected(**fields, corrected_by=author.person_id,
                                     record_id=contact_record(command.contact_id), reason=command.reason)]
