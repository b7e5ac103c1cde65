"""One mentor leads at most one team: the lead index that spans team streams.

A team's stream cannot see other teams, so the same mentor could be made the lead of two teams at
once. Each mentor therefore has a small stream of their own, ("mentor-lead", <mentor id>): the team
that makes the mentor its lead claims the stream in the same atomic append as the team's own events,
and releases it when the mentor leaves the lead post (a departure, a handover) or the team ends. A
claim by another team while the first lasts is refused (409 on `mentor_id`); two teams claiming the
same mentor at the same moment conflict on the stream's version, and one of them writes nothing.

Only the lead role is indexed: the pair mentor of a team is usually the lead of the partnership's
other team, and a resource mentor serves several teams.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rinnalla_events import DomainEvent

from rinnalla_enrollment.domain.errors import AlreadyExists

STREAM_TYPE = "mentor-lead"


class MentorLeadClaimed(DomainEvent):
    """The mentor became the lead of the team; no other team may make them its lead meanwhile."""

    event_type: ClassVar[str] = "enrollment.MentorLeadClaimed"
    mentor_id: str
    team_id: str


class MentorLeadReleased(DomainEvent):
    """The mentor no longer leads the team (left the post, handed it over, or the team ended)."""

    event_type: ClassVar[str] = "enrollment.MentorLeadReleased"
    mentor_id: str
    team_id: str


MENTOR_LEAD_EVENTS: tuple[type[DomainEvent], ...] = (MentorLeadClaimed, MentorLeadReleased)


@dataclass(frozen=True)
class MentorLeadState:
    team_id: str | None = None  # the team the mentor leads, if any


@dataclass(frozen=True)
class ClaimLead:
    mentor_id: str
    team_id: str


@dataclass(frozen=True)
class ReleaseLead:
    mentor_id: str
    team_id: str


def initial() -> MentorLeadState:
    return MentorLeadState()


def evolve(state: MentorLeadState, event: DomainEvent) -> MentorLeadState:
    match event:
        case MentorLeadClaimed():
            return MentorLeadState(team_id=event.team_id)
        case MentorLeadReleased() if event.team_id == state.team_id:
            return MentorLeadState()
        case _:
            return state


def decide(state: MentorLeadState, command: ClaimLead | ReleaseLead) -> Sequence[DomainEvent]:
    match command:
        case ClaimLead():
            if state.team_id is not None and state.team_id != command.team_id:
                raise AlreadyExists(
                    "mentor_id",
                    f"mentor {command.mentor_id} already leads team {state.team_id}; a mentor leads one team at "
                    "a time: release or hand over that post first",
                )
            return [MentorLeadClaimed(mentor_id=command.mentor_id, team_id=command.team_id)]
        case ReleaseLead():
            if state.team_id != command.team_id:
                return []
            return [MentorLeadReleased(mentor_id=command.mentor_id, team_id=command.team_id)]
