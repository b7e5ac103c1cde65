"""The stakeholder views under /v1: the mentor's day, the coordinator's team overview, and the aggregates
for the municipality and the social-impact-bond fund (small cells suppressed). From the read models."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from rinnalla_security import Access, Action, NotFound, Role, authorize

from rinnalla_caselog.adapters.dependencies import get_caselog
from rinnalla_caselog.adapters.errors import ERROR_RESPONSES, RequestProblem
from rinnalla_caselog.adapters.examples import MENTOR_TODAY, MUNICIPALITY_OUTCOMES, TEAM_OVERVIEW, examples
from rinnalla_caselog.bootstrap import Caselog
from rinnalla_caselog.domain.disclosure import SUPPRESS_BELOW, suppressed_cells
from rinnalla_caselog.domain.roster import age_on
from rinnalla_caselog.domain.schedule import review_due, trend, waves_due
from rinnalla_caselog.domain.values import WorkArea, service_day
from rinnalla_caselog.domain.worktime import time_split
from rinnalla_caselog.projections import queries
from rinnalla_caselog.projections.consent_facts import purposes_in_force

read_mentor_today = authorize(
    Action.read("mentor_today"), roles={Role.MENTOR}, personal_data=True,
    description="The mentor's teams today: each child's last contact, attendance trend, goals and waves due, "
    "consents in force; today's sessions; the mentor's own notification markers",
)
read_team_overview = authorize(
    Action.read("caselog_team_overview"), roles={Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN}, personal_data=True,
    description="Contact frequency per child, time split per mentor against the norm, assessment coverage per wave",
)
read_outcomes = authorize(
    Action.read("team_outcomes"), roles={Role.MUNICIPALITY_OFFICIAL, Role.SIB_FUND, Role.COORDINATOR, Role.ADMIN},
    description="Attendance, dose and feedback means per team; cells below 5 suppressed with a complement",
)

TeamIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
MunicipalityPath = Annotated[str, Path(pattern=r"^\d{3}$", description="kuntanumero, e.g. 092 Vantaa")]


class DueWave(BaseModel):
    instrument: str
    informant: str
    wave: str
    due_from: date
    overdue: bool


class TodayChild(BaseModel):
    child_id: str
    age: int | None
    last_contact: date | None
    days_since_contact: int | None
    attendance_last_4_weeks: str | None = Field(description="present/expected, e.g. 7/8")
    attendance_trend: str | None = Field(description="up, down or steady against the 4 weeks before")
    open_goals: int
    reviews_due: list[str] = Field(description="the open goals due for a review")
    waves_due: list[DueWave]
    consents_in_force: list[str]


class TodaySession(BaseModel):
    session_id: str
    kind: str
    minutes: int
    present: int
    expected: int


class TodayTeam(BaseModel):
    team_id: str
    name: str
    sessions_today: list[TodaySession]
    children: list[TodayChild]


class OwnMarker(BaseModel):
    marker_id: str
    child_id: str
    filed_on: date
    county_code: str
    channel: str


class MentorToday(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(MENTOR_TODAY))

    today: date
    teams: list[TodayTeam]
    own_notification_markers: list[OwnMarker]


class ChildFrequency(BaseModel):
    child_id: str
    last_30_days: int
    last_90_days: int
    last_contact: date | None
    no_contact_in_period: bool


class MentorWeek(BaseModel):
    mentor_id: str
    weeks: int
    minutes: dict[str, int]
    shares: dict[str, float | None]
    within_norm: bool | None
    off_norm: list[str]


class Coverage(BaseModel):
    instrument: str
    informant: str
    wave: str
    children: int


class TeamOverview(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(TEAM_OVERVIEW))

    team_id: str
    no_contact_days: int
    children: list[ChildFrequency]
    without_contact: int = Field(description="children with no contact within no_contact_days")
    time_split: list[MentorWeek]
    assessment_coverage: list[Coverage]


class TeamOutcome(BaseModel):
    team_id: str
    name: str
    children: int | None
    attendance_rate: float | None
    contacts_per_child_per_month: float | None
    child_feedback_mean: float | None
    guardian_feedback_mean: float | None
    suppressed: bool


class MunicipalityOutcomes(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(MUNICIPALITY_OUTCOMES))

    municipality_code: str
    first: date
    last: date
    suppress_below: int
    teams: list[TeamOutcome]


def _fraction(present: int, expected: int) -> str | None:
    return f"{present}/{expected}" if expected else None


def views_router() -> APIRouter:
    router = APIRouter(tags=["views"])

    @router.get("/mentor/today", response_model=MentorToday, responses=ERROR_RESPONSES,
                summary="My team today (the mentor's teams, from the roster)")
    async def mentor_today(
        access: Annotated[Access, Depends(read_mentor_today)], caselog: Annotated[Caselog, Depends(get_caselog)]
    ) -> MentorToday:
        now = caselog.clock()
        today = service_day(now)
        mentor_id = access.principal.subject
        teams: list[TodayTeam] = []
        seen: list[str] = []
        async with caselog.runtime.connections.acquire() as conn:
            for team in await queries.teams_mentored(conn, mentor_id, today):
                if not access.principal.in_tenant(team["municipality_code"]):
                    continue
                children = await queries.team_children(conn, team["team_id"], today)
                ids = [c["child_id"] for c in children]
                goals = await queries.open_goals(conn, ids)
                waves = await queries.recorded_waves(conn, ids)
                consents = await queries.consent_views(conn, ids)
                rows = []
                for child in children:
                    child_id = child["child_id"]
                    mine = [g for g in goals if g["child_id"] == child_id]
                    last = child["last_contact"]
                    rows.append(TodayChild(
                        child_id=child_id,
                        age=age_on(child["born_on"], today) if child["born_on"] else None,
                        last_contact=last, days_since_contact=(today - last).days if last else None,
                        attendance_last_4_weeks=_fraction(child["present_recent"], child["expected_recent"]),
                        attendance_trend=trend((child["present_recent"], child["expected_recent"]),
                                               (child["present_before"], child["expected_before"])),
                        open_goals=len(mine),
                        reviews_due=[g["goal_id"] for g in mine
                                     if review_due(g["set_on"], g["last_reviewed_on"], g["target_on"], today)],
                        waves_due=[DueWave(**vars(d)) for d in waves_due(
                            child["enrolled_on"], today, waves[child_id], child["born_on"]
                        )] if child["enrolled_on"] else [],
                        consents_in_force=purposes_in_force(consents[child_id], child_id, now),
                    ))
                    seen.append(child_id)
                sessions = [TodaySession(**s) for s in await queries.sessions_on(conn, team["team_id"], today)]
                teams.append(TodayTeam(team_id=team["team_id"], name=team["name"], sessions_today=sessions,
                                       children=rows))
            markers = await queries.own_markers(conn, mentor_id)
        await access.record_many([*seen, *(m["child_id"] for m in markers)])
        return MentorToday(today=today, teams=teams, own_notification_markers=[OwnMarker(**m) for m in markers])

    @router.get("/teams/{team_id}/caselog-overview", response_model=TeamOverview, responses=ERROR_RESPONSES,
                summary="The coordinator's overview of a team's case log")
    async def team_overview(
        team_id: TeamIdPath,
        access: Annotated[Access, Depends(read_team_overview)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
        no_contact_days: Annotated[int, Query(ge=1, le=365, description="flag children without a contact for "
                                                                         "this many days")] = 30,
        weeks: Annotated[int, Query(ge=1, le=52, description="the time split over this many weeks")] = 8,
    ) -> TeamOverview:
        today = service_day(caselog.clock())
        first = today - timedelta(weeks=weeks)
        async with caselog.runtime.connections.acquire() as conn:
            team = await queries.team_of(conn, team_id)
            if team is None:
                raise NotFound()
            access.ensure_tenant(team["municipality_code"])
            frequency = await queries.contact_frequency(conn, team_id, today)
            mentors = await queries.team_mentors(conn, team_id, first, today)
            splits = []
            for mentor_id in mentors:
                totals: dict[WorkArea, int] = {}
                for minutes in (await queries.minutes_by_week(conn, mentor_id, first, today)).values():
                    for area, value in minutes.items():
                        totals[WorkArea(area)] = totals.get(WorkArea(area), 0) + value
                split = time_split(totals)
                splits.append(MentorWeek(
                    mentor_id=mentor_id, weeks=weeks, minutes={a.value: m for a, m in split.minutes.items()},
                    shares={a.value: s for a, s in split.shares.items()}, within_norm=split.within_norm,
                    off_norm=[a.value for a in split.off_norm],
                ))
            coverage = await queries.assessment_coverage(conn, team_id)
        children = [
            ChildFrequency(**row, no_contact_in_period=row["last_contact"] is None
                           or (today - row["last_contact"]).days > no_contact_days)
            for row in frequency
        ]
        await access.record_many([c.child_id for c in children], tenant=team["municipality_code"])
        return TeamOverview(
            team_id=team_id, no_contact_days=no_contact_days, children=children,
            without_contact=sum(c.no_contact_in_period for c in children), time_split=splits,
            assessment_coverage=[Coverage(**row) for row in coverage],
        )

    @router.get("/municipalities/{municipality_code}/team-outcomes", response_model=MunicipalityOutcomes,
                responses=ERROR_RESPONSES, summary="Attendance, dose and feedback per team (small cells suppressed)")
    async def municipality_outcomes(
        municipality_code: MunicipalityPath,
        first: Annotated[date, Query(description="the first day of the period")],
        last: Annotated[date, Query(description="the last day of the period")],
        access: Annotated[Access, Depends(read_outcomes)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
    ) -> MunicipalityOutcomes:
        if last < first or (last - first).days > 3 * 366:
            raise RequestProblem("query.last", "the period runs forward from first, at most three years")
        access.ensure_tenant(municipality_code)
        async with caselog.runtime.connections.acquire() as conn:
            rows = await queries.team_outcomes(conn, municipality_code, first, last)
        return MunicipalityOutcomes(
            municipality_code=municipality_code, first=first, last=last, suppress_below=SUPPRESS_BELOW,
            teams=outcome_rows(rows, first, last),
        )

    return router


def outcome_rows(rows: list[dict[str, Any]], first: date, last: date) -> list[TeamOutcome]:
    """Every figure of a team with fewer than 5 children is hidden, with a complementary team when only one
    is; a feedback mean with fewer than 5 respondents is hidden."""
    hidden = suppressed_cells({row["team_id"]: int(row["children"]) for row in rows})
    months = max(1.0, ((last - first).days + 1) / 30.44)
    result = []
    for row in rows:
        if row["team_id"] in hidden:
            result.append(TeamOutcome(team_id=row["team_id"], name=row["name"], children=None, attendance_rate=None,
                                      contacts_per_child_per_month=None, child_feedback_mean=None,
                                      guardian_feedback_mean=None, suppressed=True))
            continue
        children = int(row["children"])
        result.append(TeamOutcome(
            team_id=row["team_id"], name=row["name"], children=children,
            attendance_rate=round(row["present"] / row["expected"], 3) if row["expected"] else None,
            contacts_per_child_per_month=round(row["child_contacts"] / children / months, 2) if children else None,
            child_feedback_mean=_mean(row["child_feedback_mean"], row["child_feedback_respondents"]),
            guardian_feedback_mean=_mean(row["guardian_feedback_mean"], row["guardian_feedback_respondents"]),
            suppressed=False,
        ))
    return result


def _mean(value: Any, respondents: int) -> float | None:
    if value is None or respondents < SUPPRESS_BELOW:
        return None
    return round(float(value), 2)
