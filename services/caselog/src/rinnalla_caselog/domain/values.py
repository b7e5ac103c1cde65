"""Values of the case log: settings of a contact, outcome areas, participants' roles, work areas."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
"""An id; also the stream id of an aggregate."""

# Bounds of what a command may carry: wide enough for every real value, narrow enough that no request can make
# an event the bus cannot carry. One place, visible in the OpenAPI schema; the domain rules refine them.
Label = Annotated[str, StringConstraints(max_length=100)]
"""A short label: an organisation's id, a code of a county or municipality."""
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
"""A business date within the years the case log can concern."""
MAX_TEAM_CHILDREN = 40  # a team has 10-30 children; a contact or a session concerns at most one team's worth
MAX_AREAS = 20  # the outcome areas or participants' roles of one entry (each vocabulary is smaller)

SERVICE_TIME_ZONE = ZoneInfo("Europe/Helsinki")


def service_day(moment: datetime) -> date:
    """The calendar day in Finland at `moment`: "today" for every date rule of the case log."""
    return moment.astimezone(SERVICE_TIME_ZONE).date()


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkArea(StrEnum):
    """The mentor's working time splits into these (the programme's norm: a third each for the first three)."""

    SCHOOL = "school"
    TEAM = "team"
    INDIVIDUAL_AND_FAMILY = "individual_and_family"
    ADMINISTRATION = "administration"


class Setting(StrEnum):
    """Where and how a contact happened."""

    CLASS_OR_LESSON = "class_or_lesson"
    WITH_TEACHER = "with_teacher"
    AFTERNOON_CLUB = "afternoon_club"
    HOBBY_OR_PRACTICE = "hobby_or_practice"
    GAME_OR_CAMP = "game_or_camp"
    HOME_VISIT_OR_FAMILY_MEETING = "home_visit_or_family_meeting"
    NETWORK_MEETING = "network_meeting"
    ONE_TO_ONE = "one_to_one"
    PHONE_OR_MESSAGE = "phone_or_message"

    @property
    def work_area(self) -> WorkArea:
        return _WORK_AREA[self]


_WORK_AREA: dict[Setting, WorkArea] = {
    Setting.CLASS_OR_LESSON: WorkArea.SCHOOL,
    Setting.WITH_TEACHER: WorkArea.SCHOOL,
    Setting.AFTERNOON_CLUB: WorkArea.TEAM,
    Setting.HOBBY_OR_PRACTICE: WorkArea.TEAM,
    Setting.GAME_OR_CAMP: WorkArea.TEAM,
    Setting.HOME_VISIT_OR_FAMILY_MEETING: WorkArea.INDIVIDUAL_AND_FAMILY,
    Setting.NETWORK_MEETING: WorkArea.INDIVIDUAL_AND_FAMILY,
    Setting.ONE_TO_ONE: WorkArea.INDIVIDUAL_AND_FAMILY,
    Setting.PHONE_OR_MESSAGE: WorkArea.INDIVIDUAL_AND_FAMILY,
}


class OutcomeArea(StrEnum):
    """The short-term outcome areas of the programme's outcome framework (Hyvän Mitta)."""

    SCHOOL_ATTENDANCE = "school_attendance"
    SOCIAL_SKILLS = "social_skills"
    FAMILY_EVERYDAY_LIFE = "family_everyday_life"
    NEED_FOR_SOCIAL_SERVICES_SUPPORT = "need_for_social_services_support"
    PARENT_MENTOR_LINK = "parent_mentor_link"
    PARTICIPATION = "participation"


class ParticipantRole(StrEnum):
    """Who took part, by role (never by name): the children themselves are listed by id."""

    GUARDIAN = "guardian"
    SIBLING = "sibling"
    TEACHER = "teacher"
    SCHOOL_WELFARE = "school_welfare"
    SOCIAL_WORKER = "social_worker"
    HEALTH_CARE = "health_care"
    FAMILY_PARTNER = "family_partner"
    OTHER_MENTOR = "other_mentor"
    OTHER_PROFESSIONAL = "other_professional"
