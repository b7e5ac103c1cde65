"""The marker that a child-welfare notification (lastensuojeluilmoitus) was filed, never the notification.

A mentor or coordinator who files a notification does it through the wellbeing services county's own
channel (its phone line, its secure form, in person, or a joint request for an assessment made with the
child or guardian, Child Welfare Act 25 a §); the case log records only that it was filed: the day, the
county it went to, the filer's role, the channel and whether the family was told. A marker that carries
any content (a reason, a description, a note) is refused: the county's channel carries the content.

One stream per marker, ("notification", <marker id>). The roster decides who may record it (the mentor of
the child's team on the day it was filed, or a coordinator); a mentor records their own filing, a
coordinator either's; a mentor sees only the markers they recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import AwareDatetime, Field, model_validator
from rinnalla_events import DomainEvent
from rinnalla_refdata import ReferenceDataError, county

from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue
from rinnalla_caselog.domain.roster import Author, TeamFacts
from rinnalla_caselog.domain.values import Day, Id, Label, Value, service_day

STREAM_TYPE = "notification"


class FilerRole(StrEnum):
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


class Channel(StrEnum):
    """The county's channels: never e-mail."""

    PHONE = "phone"
    SECURE_FORM = "secure_form"
    IN_PERSON = "in_person"
    JOINT_REQUEST_25A = "joint_request_25a"


CONTENT_FIELDS: Mapping[str, str] = {
    name: "a notification marker never carries the notification's content: the county's channel carries it"
    for name in ("content", "reason", "reasons", "description", "details", "note", "notes", "text", "summary",
                 "message", "concern")
}


class ChildWelfareNotificationFiled(DomainEvent):
    event_type: ClassVar[str] = "caselog.ChildWelfareNotificationFiled"
    marker_id: str
    child_id: str
    team_id: str
    filed_on: date
    county_code: str
    filer_role: FilerRole
    channel: Channel
    family_informed: bool
    recorded_by: str
    at: AwareDatetime


NOTIFICATION_EVENTS: tuple[type[DomainEvent], ...] = (ChildWelfareNotificationFiled,)


class RecordNotificationFiled(Value):
    """That a notification was filed: no field for its content, and a body with one is refused."""

    marker_id: Id
    child_id: Id
    filed_on: Day
    county_code: Label | None = Field(
        default=None, description="the wellbeing services county it went to; by default the team's county"
    )
    filer_role: FilerRole
    channel: Channel
    family_informed: bool = Field(description="whether the child or guardian was told (an authority always tells)")
    at: AwareDatetime

    @model_validator(mode="before")
    @classmethod
    def _no_content(cls, data: Any) -> Any:
        return refuse_content(data)


def refuse_content(data: Any) -> Any:
    if isinstance(data, Mapping):
        for name in data:
            if str(name).lower() in CONTENT_FIELDS:
                raise ValueError(f"{name}: {CONTENT_FIELDS[str(name).lower()]}")
    return data


@dataclass(frozen=True)
class NotificationState:
    exists: bool = False


def initial() -> NotificationState:
    return NotificationState()


def evolve(state: NotificationState, event: DomainEvent) -> NotificationState:
    return NotificationState(True) if isinstance(event, ChildWelfareNotificationFiled) else state


def decide(
    state: NotificationState, command: RecordNotificationFiled, author: Author, team: TeamFacts
) -> Sequence[DomainEvent]:
    today = service_day(command.at)
    if command.filed_on > today:
        raise InvalidValue(
            "filed_on", f"{command.filed_on.isoformat()} is in the future (today is {today.isoformat()})"
        )
    county_code = command.county_code or team.county_code
    try:
        county(county_code)
    except ReferenceDataError as exc:
        raise InvalidValue("county_code", str(exc)) from None
    if not author.coordinator and command.filer_role is not FilerRole.MENTOR:
        raise InvalidValue("filer_role", "a mentor records their own filing (a coordinator records either)")
    if state.exists:
        raise AlreadyExists("marker_id", f"marker {command.marker_id} is already recorded")
    return [
        ChildWelfareNotificationFiled(
            marker_id=command.marker_id, child_id=command.child_id, team_id=team.team_id, filed_on=command.filed_on,
            county_code=county_code, filer_role=command.filer_role, channel=command.channel,
            family_informed=command.family_informed, recorded_by=author.person_id, at=command.at,
        )
    ]
