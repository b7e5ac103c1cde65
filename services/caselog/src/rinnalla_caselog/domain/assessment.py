"""An assessment: one instrument answered by one informant about one child at one wave.

One stream per child, instrument, informant and wave, ("assessment", "<child>:<instrument>:<informant>:<wave>"),
so there is one record per such key: recording a second one is refused (409), and a later answer replaces
it only as a correction (`AssessmentCorrected`, with the reason), which supersedes the whole record.

The answers are checked against the instrument version (item count, each item's range), the scales are
computed (an SDQ's five subscales 0-10 and its total difficulties 0-40), and scores sent along with the
answers (from a scoring sheet) must be the computed ones. An informant may answer only at the ages the
instrument allows (the SDQ self-report from 11 to 17). The answers and the scores are the child's personal
data: they are encrypted with the child's key (as JSON text), so erasing the child makes them unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, Field
from rinnalla_events import DomainEvent, Personal

from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue, NotFound, RuleViolated
from rinnalla_caselog.domain.instruments import Code, Informant, InstrumentVersion, check_scores
from rinnalla_caselog.domain.roster import Author, ChildFacts, TeamFacts, age_on
from rinnalla_caselog.domain.values import Day, Id, Value, service_day

STREAM_TYPE = "assessment"
# As wide as any instrument version can be defined (see InstrumentVersion): the instrument's own rules refine them
# (an SDQ has exactly 25 items scored 0-2).
MAX_ITEMS = 200
MAX_ITEM_SCORE = 100
MAX_SCALES = 50
MAX_SCALE_SCORE = MAX_ITEMS * MAX_ITEM_SCORE

ChildPersonal = Personal(subject_field="child_id")


class Wave(StrEnum):
    """When: the baseline at enrolment, the follow-ups one and four years on, and the annual surveys."""

    BASELINE = "baseline"
    PLUS_1Y = "plus_1y"
    PLUS_4Y = "plus_4y"
    ANNUAL = "annual"


class Register(StrEnum):
    """Where the record belongs: the programme's own work, or research (never shown in staff views)."""

    DELIVERY = "delivery"
    RESEARCH = "research"


class AssessmentContent(Value):
    child_id: Id
    instrument: Code
    version: int = Field(ge=1)
    informant: Informant
    wave: Wave
    wave_year: int | None = Field(default=None, ge=2000, le=2100, description="the year of an annual wave")
    on: Day = Field(description="the day the form was filled in (not in the future)")
    recorded_for: Register = Register.DELIVERY
    answers: tuple[Annotated[int, Field(ge=0, le=MAX_ITEM_SCORE)], ...] = Field(
        max_length=MAX_ITEMS, description="each item's score, item 1 first (as many as the instrument has items)"
    )
    scores: dict[Code, Annotated[float, Field(ge=-MAX_SCALE_SCORE, le=MAX_SCALE_SCORE)]] = Field(
        default_factory=dict, max_length=MAX_SCALES, description="optional: checked against the answers"
    )

    @property
    def wave_key(self) -> str:
        return f"annual-{self.wave_year}" if self.wave is Wave.ANNUAL else self.wave.value

    @property
    def assessment_id(self) -> str:
        return f"{self.child_id}:{self.instrument}:{self.informant.value}:{self.wave_key}"


class RecordAssessment(AssessmentContent):
    at: AwareDatetime


class CorrectAssessment(AssessmentContent):
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    at: AwareDatetime


class AssessmentRecorded(DomainEvent):
    event_type: ClassVar[str] = "caselog.AssessmentRecorded"
    assessment_id: str
    child_id: str
    team_id: str
    instrument: str
    version: int
    informant: Informant
    wave: Wave
    wave_year: int | None
    on: date
    recorded_for: Register
    answers: Annotated[str, ChildPersonal]
    """The items' scores as a JSON array."""
    scores: Annotated[str, ChildPersonal]
    """The scales' scores as a JSON object."""
    recorded_by: str
    at: AwareDatetime


class AssessmentCorrected(DomainEvent):
    """v2: the correction's free-text reason is personal by default (it can name the child or a guardian):
    encrypted with the child's key and erased with the child. v1 payloads (plaintext reason) read unchanged."""

    event_type: ClassVar[str] = "caselog.AssessmentCorrected"
    schema_version: ClassVar[int] = 2
    assessment_id: str
    child_id: str
    team_id: str
    instrument: str
    version: int
    informant: Informant
    wave: Wave
    wave_year: int | None
    on: date
    recorded_for: Register
    answers: Annotated[str, ChildPersonal]
    scores: Annotated[str, ChildPersonal]
    corrected_by: str
    reason: Annotated[str, ChildPersonal]
    at: AwareDatetime


ASSESSMENT_EVENTS: tuple[type[DomainEvent], ...] = (AssessmentRecorded, AssessmentCorrected)


def decode_scores(text: str) -> dict[str, float] | None:
    """The scores of a recorded assessment; None when unreadable (the child was erased)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return {str(k): float(v) for k, v in value.items()} if isinstance(value, dict) else None


@dataclass(frozen=True)
class AssessmentState:
    exists: bool = False
    team_id: str = ""
    version: int = 0


def initial() -> AssessmentState:
    return AssessmentState()


def evolve(state: AssessmentState, event: DomainEvent) -> AssessmentState:
    if isinstance(event, AssessmentRecorded | AssessmentCorrected):
        return AssessmentState(True, event.team_id, state.version + 1)
    return state


def check_content(content: AssessmentContent, today: date) -> None:
    if content.on > today:
        raise InvalidValue("on", f"{content.on.isoformat()} is in the future (today is {today.isoformat()})")
    if (content.wave is Wave.ANNUAL) != (content.wave_year is not None):
        raise InvalidValue("wave_year", "an annual wave names its year; the other waves do not")


def check_informant(instrument: InstrumentVersion, content: AssessmentContent, child: ChildFacts) -> None:
    """The informant may answer this instrument, at the child's age on the day it was filled in."""
    rule = instrument.rule_for(content.informant)
    if rule is None:
        allowed = ", ".join(r.informant.value for r in instrument.informants)
        raise RuleViolated("informant", f"{instrument.code} has no {content.informant.value} form (it has {allowed})")
    if rule.min_age is None and rule.max_age is None:
        return
    if child.born_on is None:
        raise RuleViolated(
            "child_id", "the child's date of birth is not known, so the form's age rule cannot be checked"
        )
    age = age_on(child.born_on, content.on)
    low = rule.min_age if rule.min_age is not None else 0
    high = rule.max_age if rule.max_age is not None else 200
    if not low <= age <= high:
        raise RuleViolated(
            "informant", f"the {content.informant.value} form of {instrument.code} is for ages {low}-{high}; "
            f"the child was {age} on {content.on.isoformat()}",
        )


def decide(
    state: AssessmentState,
    command: RecordAssessment | CorrectAssessment,
    author: Author,
    instrument: InstrumentVersion | None,
    child: ChildFacts,
    team: TeamFacts,
) -> Sequence[DomainEvent]:
    """`team`: the team the roster says the author writes in about the child on that day; `instrument`: the
    version named, None if there is no such version."""
    check_content(command, service_day(command.at))
    if instrument is None:
        raise NotFound("version", f"no instrument {command.instrument} version {command.version}")
    computed = instrument.score(command.answers)
    check_scores(instrument, computed, command.scores)
    check_informant(instrument, command, child)
    fields: dict[str, Any] = {
        "assessment_id": command.assessment_id, "child_id": command.child_id, "team_id": team.team_id,
        "instrument": command.instrument, "version": command.version, "informant": command.informant,
        "wave": command.wave, "wave_year": command.wave_year, "on": command.on, "recorded_for": command.recorded_for,
        "answers": json.dumps(list(command.answers)), "scores": json.dumps(computed, sort_keys=True),
        "at": command.at,
    }
    match command:
        case RecordAssessment():
            if state.exists:
                raise AlreadyExists(
                    "wave", f"{command.instrument} by the {command.informant.value} informant at the "
                    f"{command.wave_key} wave is already recorded for this child: correct it instead",
                )
            return [AssessmentRecorded(**fields, recorded_by=author.person_id)]
        case CorrectAssessment():
            if not state.exists:
                raise NotFound("wave", f"no {command.instrument} at the {command.wave_key} wave to correct")
            return [AssessmentCorrected(**fields, corrected_by=author.person_id, reason=command.reason)]
