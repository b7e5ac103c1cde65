"""The mentor's working time per week: school, team, individual and family work, and administration.

The first three are derived from what the mentor logged (contacts by their setting, team sessions); the
administration time is reported per week (`TimeReported`, one stream per mentor and ISO week, the latest
report counts). The programme's norm splits the work with the children a third each between school, team
and individual and family work; a week is off the norm when any of the three is more than ten percentage
points away from a third.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints
from rinnalla_events import DomainEvent

from rinnalla_caselog.domain.errors import InvalidValue
from rinnalla_caselog.domain.values import Value, WorkArea, service_day

STREAM_TYPE = "worktime"
NORM_SHARE = 1 / 3
NORM_TOLERANCE = 0.10
DIRECT_AREAS = (WorkArea.SCHOOL, WorkArea.TEAM, WorkArea.INDIVIDUAL_AND_FAMILY)
MAX_WEEK_MINUTES = 7 * 24 * 60

IsoWeek = Annotated[str, StringConstraints(pattern=r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")]
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    match = _WEEK.match(week)
    if match is None:
        raise InvalidValue("week", f"{week} is not an ISO week such as 2026-W40")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidValue("week", f"{week} does not exist") from None


class TimeReported(DomainEvent):
    event_type: ClassVar[str] = "caselog.TimeReported"
    mentor_id: str
    week: str
    administration_minutes: int
    at: AwareDatetime


WORKTIME_EVENTS: tuple[type[DomainEvent], ...] = (TimeReported,)


class ReportTime(Value):
    week: IsoWeek = Field(description="the ISO week, e.g. 2026-W40")
    administration_minutes: int = Field(ge=0, le=MAX_WEEK_MINUTES)
    at: AwareDatetime


@dataclass(frozen=True)
class WorktimeState:
    administration_minutes: int | None = None


def initial() -> WorktimeState:
    return WorktimeState()


def evolve(state: WorktimeState, event: DomainEvent) -> WorktimeState:
    if isinstance(event, TimeReported):
        return WorktimeState(event.administration_minutes)
    return state


def stream_id(mentor_id: str, week: str) -> str:
    return f"{mentor_id}:{week}"


def decide(state: WorktimeState, command: ReportTime, mentor_id: str) -> Sequence[DomainEvent]:
    if week_start(command.week) > service_day(command.at):
        raise InvalidValue("week", f"{command.week} has not begun")
    if state.administration_minutes == command.administration_minutes:
        return []
    return [TimeReported(mentor_id=mentor_id, week=command.week,
                         administration_minutes=command.administration_minutes, at=command.at)]


@dataclass(frozen=True)
class TimeSplit:
    """One mentor's week: minutes per work area, the direct work's shares, and whether it keeps the norm."""

    minutes: Mapping[WorkArea, int]
    shares: Mapping[WorkArea, float | None]
    off_norm: tuple[WorkArea, ...]

    @property
    def within_norm(self) -> bool | None:
        """None when no direct work was logged (nothing to compare)."""
        if all(share is None for share in self.shares.values()):
            return None
        return not self.off_norm


def time_split(minutes: Mapping[WorkArea, int]) -> TimeSplit:
    full = {area: int(minutes.get(area, 0)) for area in WorkArea}
    direct = sum(full[area] for area in DIRECT_AREAS)
    if direct == 0:
        return TimeSplit(full, {area: None for area in DIRECT_AREAS}, ())
    shares = {area: round(full[area] / direct, 3) for area in DIRECT_AREAS}
    off = tuple(area for area in DIRECT_AREAS if abs(full[area] / direct - NORM_SHARE) > NORM_TOLERANCE)
    return TimeSplit(full, shares, off)
