"""The read API under /v1, from the read models (eventually consistent with the log: the worker applies
new events within moments). Who may read about a child follows the roster, like who may write."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from rinnalla_consent import guardian_may_see
from rinnalla_security import Access, Action, NotFound, Role, authorize

from rinnalla_caselog.adapters.dependencies import author_of, get_caselog
from rinnalla_caselog.adapters.errors import ERROR_RESPONSES, RequestProblem
from rinnalla_caselog.adapters.examples import CHILD_TIMELINE, FAMILY_VIEW, OWN_MARKERS, TIME_SPLIT, examples
from rinnalla_caselog.bootstrap import Caselog
from rinnalla_caselog.domain.roster import Author, ChildFacts, TeamFacts
from rinnalla_caselog.domain.values import WorkArea, service_day
from rinnalla_caselog.domain.worktime import NORM_SHARE, NORM_TOLERANCE, time_split
from rinnalla_caselog.projections import queries

ChildIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]

read_time_split = authorize(
    Action.read("time_split"), roles={Role.MENTOR, Role.COORDINATOR},
    description="A mentor's own time split per week, or a coordinator's view of a mentor of their municipality",
)
read_family_view = authorize(
    Action.read("family_view"), roles={Role.GUARDIAN, Role.CHILD}, personal_data=True,
    description="What was written for the family: the child's goals, their status and ratings",
)
read_own_markers = authorize(
    Action.read("notification_marker"), roles={Role.MENTOR, Role.COORDINATOR}, personal_data=True,
    description="The child-welfare notification markers the caller recorded (never others', never content)",
)
read_child_timeline = authorize(
    Action.read("child_timeline"), roles={Role.MENTOR, Role.COORDINATOR}, personal_data=True,
    description="A child's contacts with the notes about the child (the current mentor of the child's team, "
    "or a coordinator)",
)


class TimelineContact(BaseModel):
    contact_id: str
    team_id: str
    on: date
    minutes: int
    setting: str
    participants: list[str]
    recorded_by: str
    corrected: bool
    note: str
    outcome_areas: list[str]


class TimelineAssessment(BaseModel):
    assessment_id: str
    instrument: str
    version: int
    informant: str
    wave: str
    wave_year: int | None
    on: date
    scores: dict[str, float]
    recorded_by: str
    corrected: bool


class GoalReview(BaseModel):
    reviewed_on: date
    rating: int
    status: str
    note: str
    reviewed_by: str


class TimelineGoal(BaseModel):
    goal_id: str
    team_id: str
    area: str | None
    wording: str
    set_on: date
    target_on: date
    set_by: str
    status: str
    last_rating: int | None
    last_reviewed_on: date | None
    reviews: list[GoalReview]


class FamilyGoal(BaseModel):
    area: str | None
    wording: str
    set_on: date
    target_on: date
    status: str
    ratings: list[int] = Field(description="the reviews' ratings, 1 (far from the goal) to 5 (reached), oldest first")


class FamilyView(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(FAMILY_VIEW))

    child_id: str
    goals: list[FamilyGoal]


class NotificationMarker(BaseModel):
    marker_id: str
    child_id: str
    team_id: str
    filed_on: date
    county_code: str
    filer_role: str
    channel: str
    family_informed: bool


class OwnMarkers(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(OWN_MARKERS))

    markers: list[NotificationMarker]


class ChildTimeline(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(CHILD_TIMELINE))

    child_id: str
    contacts: list[TimelineContact]
    assessments: list[TimelineAssessment] = Field(
        description="the programme's own assessments (research-register ones are never shown here)"
    )
    goals: list[TimelineGoal] = Field(description="the child's goals, the predecessor mentor's included")


class WeekSplit(BaseModel):
    week: str
    minutes: dict[str, int] = Field(description="per work area: school, team, individual_and_family, administration")
    shares: dict[str, float | None] = Field(description="each direct work area's share of the direct work")
    within_norm: bool | None = Field(description="each of the three within 10 points of a third; null: no work")
    off_norm: list[str]


class TimeSplitView(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(TIME_SPLIT))

    mentor_id: str
    norm_share: float
    tolerance: float
    weeks: list[WeekSplit]


def may_read_child(author: Author, child: ChildFacts | None, teams: dict[str, TeamFacts], today: date) -> bool:
    """The current mentor of the child's team (the predecessor's entries included), or a coordinator of the
    municipality of the child's last team. An outgoing mentor no longer reads the child's timeline."""
    if child is None or not child.memberships:
        return False
    last = teams.get(child.memberships[-1].team_id)
    if last is None:
        return False
    if author.coordinator:
        return last.municipality_code in author.tenants
    current = child.current_team()
    team = teams.get(current) if current else None
    return team is not None and author.person_id in team.mentors_on(today)


def read_router() -> APIRouter:
    router = APIRouter(tags=["reads"])

    @router.get("/children/{child_id}/contacts", response_model=ChildTimeline, responses=ERROR_RESPONSES,
                summary="A child's timeline of contacts and assessments, newest first")
    async def child_timeline(
        child_id: ChildIdPath,
        access: Annotated[Access, Depends(read_child_timeline)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
    ) -> ChildTimeline:
        children = await caselog.roster.children([child_id])
        child = children.get(child_id)
        teams = dict(await caselog.roster.teams({m.team_id for m in child.memberships} if child else set()))
        if not may_read_child(author_of(access.principal), child, teams, service_day(caselog.clock())):
            raise NotFound()
        async with caselog.runtime.connections.acquire() as conn:
            contacts = await queries.child_contacts(conn, child_id)
            assessments = await queries.child_assessments(conn, child_id)
            goals = await queries.child_goals(conn, child_id)
        await access.record(child_id)
        return ChildTimeline(
            child_id=child_id,
            contacts=[TimelineContact(**row) for row in contacts],
            assessments=[TimelineAssessment(**row) for row in assessments],
            goals=[TimelineGoal(**row) for row in goals],
        )

    @router.get("/children/{child_id}/family-view", response_model=FamilyView, responses=ERROR_RESPONSES,
                summary="What was written for the family (the child's own, or a guardian's of a minor)")
    async def family_view(
        child_id: ChildIdPath,
        access: Annotated[Access, Depends(read_family_view)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
    ) -> FamilyView:
        now = caselog.clock()
        principal = access.principal
        async with caselog.runtime.connections.acquire() as conn:
            view = (await queries.consent_views(conn, [child_id]))[child_id]
            record = view.subject(child_id)
            own = principal.has_role(Role.CHILD) and principal.subject == child_id
            # a current guardian of a minor whom the child has not refused as a recipient (Act 812/2000 11 §)
            guardian = principal.has_role(Role.GUARDIAN) and guardian_may_see(
                view, child_id, principal.subject, now
            ).allowed
            if record is None or not (own or guardian):
                raise NotFound()
            goals = await queries.child_goals(conn, child_id)
        await access.record(child_id)
        return FamilyView(child_id=child_id, goals=[
            FamilyGoal(area=g["area"], wording=g["wording"], set_on=g["set_on"], target_on=g["target_on"],
                       status=g["status"], ratings=[r["rating"] for r in g["reviews"]])
            for g in goals
        ])

    @router.get("/notification-markers/mine", response_model=OwnMarkers, responses=ERROR_RESPONSES,
                summary="The child-welfare notification markers you recorded")
    async def own_markers(
        access: Annotated[Access, Depends(read_own_markers)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
    ) -> OwnMarkers:
        async with caselog.runtime.connections.acquire() as conn:
            rows = await queries.own_markers(conn, access.principal.subject)
        await access.record_many(row["child_id"] for row in rows)
        return OwnMarkers(markers=[NotificationMarker(**row) for row in rows])

    @router.get("/mentors/{mentor_id}/time-split", response_model=TimeSplitView, responses=ERROR_RESPONSES,
                summary="A mentor's time split per ISO week against the one-third norm")
    async def time_split_of(
        mentor_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")],
        first: Annotated[date, Query(description="the first day of the period")],
        last: Annotated[date, Query(description="the last day of the period (at most a year after the first)")],
        access: Annotated[Access, Depends(read_time_split)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
    ) -> TimeSplitView:
        if last < first or (last - first).days > 366:
            raise RequestProblem("query.last", "the period runs forward from first, at most a year")
        principal = access.principal
        async with caselog.runtime.connections.acquire() as conn:
            if principal.subject != mentor_id:
                teams = await queries.mentor_teams_in(conn, mentor_id)
                coordinator = principal.has_role(Role.COORDINATOR)
                if not coordinator or not any(principal.in_tenant(t["municipality_code"]) for t in teams):
                    raise NotFound()
            weeks = await queries.minutes_by_week(conn, mentor_id, first, last)
        rows = []
        for week, minutes in weeks.items():
            split = time_split({WorkArea(area): value for area, value in minutes.items()})
            rows.append(WeekSplit(
                week=week, minutes={a.value: m for a, m in split.minutes.items()},
                shares={a.value: v for a, v in split.shares.items()}, within_norm=split.within_norm,
                off_norm=[a.value for a in split.off_norm],
            ))
        return TimeSplitView(mentor_id=mentor_id, norm_share=round(NORM_SHARE, 3), tolerance=NORM_TOLERANCE, weeks=rows)

    return router
