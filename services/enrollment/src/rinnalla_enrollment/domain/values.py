"""Small value types and vocabularies shared by commands, events and aggregates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from rinnalla_events import Personal

from rinnalla_enrollment.domain.errors import InvalidValue

Id = Annotated[str, StringConstraints(min_length=1, max_length=100)]
"""An id (a UUID in practice); also the stream id of an aggregate."""

# Bounds of what a command may carry: wide enough for every real value, narrow enough that no request can
# make an event the bus cannot carry (and stop the log for everyone). One place, visible in the OpenAPI schema.
Name = Annotated[str, StringConstraints(max_length=200)]
"""A person's given names or family name, or the name of a school, team, funder or payer."""
Text = Annotated[str, StringConstraints(max_length=2000)]
"""Free text: a reason, details, the basis of a custody."""
Label = Annotated[str, StringConstraints(max_length=100)]
"""A short label: an area, a sport, a class, a reference."""
Code = Annotated[str, StringConstraints(max_length=20)]
"""A code: municipality, county, school, Y-tunnus, identity code, language."""
Phone = Annotated[str, StringConstraints(max_length=30)]
Email = Annotated[str, StringConstraints(max_length=254)]  # the longest address SMTP delivers

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
"""A business date (or a date of birth) within the years the register can concern."""
Moment = Annotated[
    AwareDatetime,
    Field(ge=datetime(EARLIEST_DAY.year, 1, 1, tzinfo=UTC), le=datetime(LATEST_DAY.year, 12, 31, 23, 59, tzinfo=UTC)),
]
"""A moment a user gives (when a consent starts or ends), within the same years as `Day`."""
Year = Annotated[int, Field(ge=EARLIEST_DAY.year, le=LATEST_DAY.year)]
"""A calendar year (a birth cohort, a funding year)."""
Euros = Annotated[Decimal, Field(ge=-100_000_000, le=100_000_000)]
"""An amount of money in euros (the rules refuse negative amounts and fractions of a cent, with reasons)."""

MAX_GUARDIANS = 8  # a child has a handful: parents, foster carers, a court-appointed guardian
MAX_SCHOOLS = 30  # the other schools a team's children attend

ADULT_AGE = 18
FOLLOW_UP_AGE = 20  # the research follow-up (the SIB evaluation) runs until the child turns 20
PRE_PRIMARY_AGE = 6  # pre-primary education (esiopetus) starts in August of the year the child turns six
SCHOOL_YEAR_STARTS = (8, 1)
FINNISH_TIME = ZoneInfo("Europe/Helsinki")


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class School(Value):
    """A school; `code` is the national school code (oppilaitosnumero) when known."""

    # a command's bounded copy (SchoolEntry) is stored as a plain School
    model_config = ConfigDict(revalidate_instances="subclass-instances")

    name: str
    code: str = ""


class SchoolEntry(School):
    """A school as a command gives it: bounded."""

    model_config = ConfigDict(from_attributes=True)

    name: Name
    code: Code = ""


class CustodyKind(StrEnum):
    """On what footing the adult decides for the child."""

    JOINT = "joint"  # yhteishuolto: custody shared with another guardian
    SOLE = "sole"  # yksinhuolto
    # The carer of a child placed outside the home (family care); the placement decision is the basis.
    FOSTER_CARER = "foster_carer"
    OTHER = "other"  # e.g. a guardian appointed by a court: `custody_basis` says on what basis


class Guardian(Value):
    """A child's guardian (huoltaja). Names, contact details, the custody basis and the language are personal
    data of the guardian. `custody` None: not recorded (records made before custody kinds were kept)."""

    # a command's bounded copy (GuardianEntry) is stored as a plain Guardian
    model_config = ConfigDict(revalidate_instances="subclass-instances")

    guardian_id: Id
    given_names: Annotated[str, Personal(subject_field="guardian_id")]
    family_name: Annotated[str, Personal(subject_field="guardian_id")]
    phone: Annotated[str, Personal(subject_field="guardian_id")] = ""
    email: Annotated[str, Personal(subject_field="guardian_id")] = ""
    custody: CustodyKind | None = None
    custody_basis: Annotated[str, Personal(subject_field="guardian_id")] = ""
    interpreter_needed: bool = False
    # The language to use with the guardian (ISO 639 code, e.g. "so", "ar", "uk"); needed with an interpreter.
    language: Annotated[str, Personal(subject_field="guardian_id")] = ""


class GuardianEntry(Guardian):
    """A guardian as a command gives them: bounded. The events keep `Guardian`, whose published schema has
    no bounds (events already in the log are read as they are)."""

    model_config = ConfigDict(from_attributes=True)

    given_names: Name
    family_name: Name
    phone: Phone = ""
    email: Email = ""
    custody_basis: Text = ""
    language: Code = ""


class NominatingRole(StrEnum):
    """Professions in the multi-professional group that nominates children."""

    EARLY_CHILDHOOD_EDUCATION = "early_childhood_education"  # varhaiskasvatus
    PRESCHOOL = "preschool"  # esiopetus
    SCHOOL = "school"
    SOCIAL_SERVICES = "social_services"
    HEALTH_SERVICES = "health_services"  # e.g. school health care, child health clinic (neuvola)
    PROGRAMME = "programme"  # the programme's own mentor or coordinator


class NominationReason(StrEnum):
    """Structured grounds for concern (Icehearts' typical backgrounds); sensitive, stored encrypted."""

    CHILD_WELFARE_CLIENT = "child_welfare_client"
    LOW_INCOME_FAMILY = "low_income_family"
    PARENTING_STRAIN = "parenting_strain"
    SINGLE_PARENT_FAMILY = "single_parent_family"
    IMMIGRANT_BACKGROUND = "immigrant_background"
    SPECIAL_EDUCATIONAL_NEEDS = "special_educational_needs"
    LEARNING_DIFFICULTY_OR_DISABILITY = "learning_difficulty_or_disability"
    SHY_OR_WITHDRAWN = "shy_or_withdrawn"
    BEHAVIOURAL_OR_EMOTIONAL_DIFFICULTIES = "behavioural_or_emotional_difficulties"
    IMPULSIVENESS_OR_CONCENTRATION = "impulsiveness_or_concentration"
    NEUROLOGICAL_OR_MOTOR_DIFFICULTIES = "neurological_or_motor_difficulties"
    NO_OTHER_HOBBY = "no_other_hobby"
    # A peer without special needs, for the balance of the team.
    PEER_FOR_BALANCE = "peer_for_balance"
    OTHER = "other"


class ExitReason(StrEnum):
    MOVED_AWAY = "moved_away"
    GUARDIAN_WITHDREW = "guardian_withdrew"
    CHILD_OPTED_OUT = "child_opted_out"
    TEAM_TERMINATED = "team_terminated"
    # Taken into care and placed outside the home (sijoitus): the outcome the SIB contract pays to avoid.
    OUT_OF_HOME_PLACEMENT = "out_of_home_placement"
    DEATH = "death"
    # The participation consent was withdrawn: the enrolment has no basis any more.
    PARTICIPATION_CONSENT_WITHDRAWN = "participation_consent_withdrawn"
    OTHER = "other"


class IdentityCodeKind(StrEnum):
    """Which identity code a child was enrolled with."""

    PERMANENT = "permanent"  # henkilötunnus
    # A temporary identity code (individual number 900-999), e.g. a newly arrived family's.
    TEMPORARY = "temporary"
    NONE = "none"  # no code yet


class CompletionOutcome(StrEnum):
    # The programme's goal: basic education completed and further studies started.
    FURTHER_STUDIES_STARTED = "further_studies_started"
    # Stayed until the team completed its 12 years (alumnus).
    TEAM_COMPLETED = "team_completed"


class TransferReason(StrEnum):
    MOVED_WITHIN_AREA = "moved_within_area"
    BETTER_AGE_MATCH = "better_age_match"
    TEAM_TERMINATED = "team_terminated"
    OTHER = "other"


class RosterLeaveReason(StrEnum):
    EXITED = "exited"
    TRANSFERRED = "transferred"
    COMPLETED = "completed"


class TeamStatus(StrEnum):
    FORMING = "forming"  # preschool year: children are being selected
    ACTIVE = "active"  # from school start
    COMPLETED = "completed"  # after the 12 years
    TERMINATED = "terminated"  # ended early


class TeamGender(StrEnum):
    BOYS = "boys"
    GIRLS = "girls"
    MIXED = "mixed"


class TerminationReason(StrEnum):
    FUNDING_WITHDRAWN = "funding_withdrawn"
    MENTOR_NOT_REPLACED = "mentor_not_replaced"
    TOO_FEW_CHILDREN = "too_few_children"
    OTHER = "other"


class MentorRole(StrEnum):
    LEAD = "lead"  # the team's own mentor (kasvattaja), one at a time
    # The second of the mentor pair working together, usually the lead of the partnership's other team.
    PAIR = "pair"
    RESOURCE = "resource"  # resource mentor (resurssikasvattaja)


class MentorLeaveReason(StrEnum):
    RESIGNED = "resigned"
    HANDED_OVER = "handed_over"
    REASSIGNED = "reassigned"
    OTHER = "other"


class FundingSource(StrEnum):
    MUNICIPALITY = "municipality"
    WELLBEING_COUNTY = "wellbeing_county"
    FOUNDATION = "foundation"
    SIB_CONTRACT = "sib_contract"
    OTHER = "other"


class PartnershipStatus(StrEnum):
    NEGOTIATING = "negotiating"
    AGREED = "agreed"
    NEGOTIATION_FAILED = "negotiation_failed"
    ENDED = "ended"


class ChildStatus(StrEnum):
    NOMINATED = "nominated"  # by the multi-professional group
    OFFERED = "offered"  # guardians informed
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    NOT_SELECTED = "not_selected"
    ACTIVE = "active"  # enrolled in a team
    EXITED = "exited"
    COMPLETED = "completed"
    FOLLOW_UP = "follow_up"  # completed, the record kept for the research follow-up until age 20


def age_on(born: date, day: date) -> int:
    """Age in completed years on `day` (someone born on 29 February has their birthday on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def eighteenth_birthday(born: date) -> date:
    return birthday_at(born, ADULT_AGE)


def birthday_at(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        return date(born.year + age, 3, 1)


def school_year(day: date) -> int:
    """The calendar year in which the school year containing `day` started (1 August)."""
    return day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1


def programme_grade(birth_year: int, day: date) -> int:
    """Where a child of this birth cohort is on `day`, by school year rather than exact age: 0 is pre-primary
    (the year they turn six), 1-9 basic education, 10-12 upper secondary. A child born in December is five
    for most of pre-primary and still belongs to that cohort."""
    return school_year(day) - (birth_year + PRE_PRIMARY_AGE)


def finnish_date(moment: datetime) -> date:
    """The calendar day in Finland at `moment` (the server clock is UTC)."""
    return moment.astimezone(FINNISH_TIME).date()


def parse_iso_date(text: str) -> date | None:
    """A personal date read back from an event; None once the person was erased."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


_LANGUAGE = re.compile(r"[a-z]{2,3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 \-]{5,19}")


def require_text(value: str, field: str, what: str) -> None:
    if not value.strip():
        raise InvalidValue(field, f"{what} is required")


def check_guardians(guardians: tuple[Guardian, ...], field: str = "guardians") -> None:
    """At least one guardian, each with a name and a way to reach them."""
    if not guardians:
        raise InvalidValue(field, "at least one guardian is required")
    seen: set[str] = set()
    for index, guardian in enumerate(guardians):
        path = f"{field}[{index}]"
        if guardian.guardian_id in seen:
            raise InvalidValue(f"{path}.guardian_id", "the same guardian is listed twice")
        seen.add(guardian.guardian_id)
        require_text(guardian.given_names, f"{path}.given_names", "the guardian's given names")
        require_text(guardian.family_name, f"{path}.family_name", "the guardian's family name")
        if not guardian.phone.strip() and not guardian.email.strip():
            raise InvalidValue(f"{path}.phone", "a phone number or an email address is needed to reach the guardian")
        if guardian.email and not _EMAIL.fullmatch(guardian.email.strip()):
            raise InvalidValue(f"{path}.email", "not an email address")
        if guardian.phone and not _PHONE.fullmatch(guardian.phone.strip()):
            raise InvalidValue(f"{path}.phone", "a phone number has digits, spaces or hyphens, optionally a leading +")
        _check_custody_and_language(guardian, path)


def _check_custody_and_language(guardian: Guardian, path: str) -> None:
    if guardian.custody is CustodyKind.OTHER and not guardian.custody_basis.strip():
        raise InvalidValue(f"{path}.custody_basis", "say on what basis the adult has custody (e.g. a court decision)")
    if guardian.language and not _LANGUAGE.fullmatch(guardian.language.strip()):
        raise InvalidValue(f"{path}.language", "a language is an ISO 639 code of 2-3 lower-case letters, e.g. 'so'")
    if guardian.interpreter_needed and not guardian.language.strip():
        raise InvalidValue(f"{path}.language", "say which language the interpreter is needed for")


def check_school(school: School, field: str) -> None:
    require_text(school.name, f"{field}.name", "the school's name")
    if school.code and not school.code.isdigit():
        raise InvalidValue(f"{field}.code", "a school code (oppilaitosnumero) has digits only")
