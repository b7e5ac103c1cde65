"""A child's goal: in one of the programme's outcome areas or specific to the child, with a target date,
reviewed with a rating from 1 (far from it) to 5 (reached), and its status over time.

One stream per goal, ("goal", <goal id>). The goal's wording and each review's note are the child's
personal data (encrypted with the child's key). A goal that was achieved or discontinued takes no more
reviews. The roster decides who may write on the day the goal is set or reviewed; the incoming mentor of the
child's team sees and reviews the predecessor's goals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints
from rinnalla_events import DomainEvent, Personal

from rinnalla_caselog.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound
from rinnalla_caselog.domain.roster import Author, TeamFacts
from rinnalla_caselog.domain.values import Day, Id, OutcomeArea, Value, service_day

STREAM_TYPE = "goal"

ChildText = Annotated[str, StringConstraints(max_length=2000), Personal(subject_field="child_id")]


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DISCONTINUED = "discontinued"


class GoalSet(DomainEvent):
    event_type: ClassVar[str] = "caselog.GoalSet"
    goal_id: str
    child_id: str
    team_id: str
    area: OutcomeArea | None
    """None: a goal specific to the child (its wording says what)."""
    wording: ChildText
    set_on: date
    target_on: date
    set_by: str
    at: AwareDatetime


class GoalReviewed(DomainEvent):
    event_type: ClassVar[str] = "caselog.GoalReviewed"
    goal_id: str
    child_id: str
    team_id: str
    reviewed_on: date
    rating: int
    status: GoalStatus
    note: ChildText
    reviewed_by: str
    at: AwareDatetime


GOAL_EVENTS: tuple[type[DomainEvent], ...] = (GoalSet, GoalReviewed)


class SetGoal(Value):
    goal_id: Id
    child_id: Id
    area: OutcomeArea | None = Field(default=None, description="an outcome area, or none for a child-specific goal")
    wording: Annotated[str, StringConstraints(max_length=2000)] = Field(
        default="", description="what the goal is, in words the family understands (required without an area)"
    )
    set_on: Day
    target_on: Day
    at: AwareDatetime


class ReviewGoal(Value):
    goal_id: Id
    reviewed_on: Day
    rating: int = Field(ge=1, le=5, description="1: far from the goal ... 5: reached")
    status: GoalStatus = GoalStatus.OPEN
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    at: AwareDatetime


@dataclass(frozen=True)
class GoalState:
    exists: bool = False
    child_id: str = ""
    team_id: str = ""
    set_on: date | None = None
    status: GoalStatus = GoalStatus.OPEN
    last_reviewed_on: date | None = None


def initial() -> GoalState:
    return GoalState()


def evolve(state: GoalState, event: DomainEvent) -> GoalState:
    match event:
        case GoalSet():
            return GoalState(True, event.child_id, event.team_id, event.set_on)
        case GoalReviewed():
            return GoalState(True, state.child_id, event.team_id, state.set_on, event.status, event.reviewed_on)
        case _:
            return state


def decide_set(state: GoalState, command: SetGoal, author: Author, team: TeamFacts) -> Sequence[DomainEvent]:
    today = service_day(command.at)
    if command.set_on > today:
        raise InvalidValue("set_on", f"{command.set_on.isoformat()} is in the future (today is {today.isoformat()})")
    if command.target_on <= command.set_on:
        raise InvalidValue("target_on", "the target date comes after the day the goal is set")
    if command.area is None and not command.wording.strip():
        raise InvalidValue("wording", "a child-specific goal (without an outcome area) says in words what it is")
    if state.exists:
        raise AlreadyExists("goal_id", f"goal {command.goal_id} is already set: review it instead")
    return [
        GoalSet(
            goal_id=command.goal_id, child_id=command.child_id, team_id=team.team_id, area=command.area,
            wording=command.wording, set_on=command.set_on, target_on=command.target_on,
            set_by=author.person_id, at=command.at,
        )
    ]


def decide_review(state: GoalState, command: ReviewGoal, author: Author, team: TeamFacts) -> Sequence[DomainEvent]:
    """`team`: what the roster says for the goal's child on the review's day (checked before)."""
    if not state.exists:
        raise NotFound("goal_id", f"no goal {command.goal_id}")
    today = service_day(command.at)
    if command.reviewed_on > today:
        raise InvalidValue("reviewed_on", f"{command.reviewed_on.isoformat()} is in the future")
    assert state.set_on is not None
    if command.reviewed_on < state.set_on:
        raise InvalidValue("reviewed_on", f"the goal was set on {state.set_on.isoformat()}, after this review's day")
    if state.last_reviewed_on is not None and command.reviewed_on < state.last_reviewed_on:
        raise InvalidValue("reviewed_on", f"the goal was last reviewed on {state.last_reviewed_on.isoformat()}")
    if state.status is not GoalStatus.OPEN:
        raise InvalidTransition("goal_id", f"the goal is {state.status.value}: set a new goal instead")
    return [
        GoalReviewed(
            goal_id=command.goal_id, child_id=state.child_id, team_id=team.team_id,
            reviewed_on=command.reviewed_on, rating=command.rating, status=command.status, note=command.note,
            reviewed_by=author.person_id, at=command.at,
        )
    ]
