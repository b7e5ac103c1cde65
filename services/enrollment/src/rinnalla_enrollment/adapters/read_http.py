"""The read API under /v1: one view per stakeholder, from the read model (eventually consistent with the
log: the worker applies new events within moments). Which teams and children a mentor or guardian sees comes
from the same read model (`Enrollment.relations`), never from lists in the token."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict
from rinnalla_security import Access, Action, Role, authorize

from rinnalla_enrollment.adapters.dependencies import get_enrollment
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES
from rinnalla_enrollment.adapters.examples import (
    MENTOR_TEAM,
    MUNICIPALITY_STATISTICS,
    PIPELINE_ROW,
    TEAM_OVERVIEW,
    examples,
)
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.projections import queries

MunicipalityCodePath = Annotated[str, Path(pattern=r"^\d{3}$", description="kuntanumero, e.g. 092 Vantaa")]
ChildIdPath = Annotated[str, Path(min_length=1, max_length=100)]

read_mentor_teams = authorize(
    Action.read("team_roster"), roles={Role.MENTOR}, personal_data=True,
    description="The mentor's own teams with names, guardians' contacts and consents",
)
read_team_overview = authorize(
    Action.read("team_overview"), roles={Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN},
    description="Every team of the caller's municipalities, without names",
)
read_municipality_statistics = authorize(
    Action.read("municipality_statistics"), roles={Role.MUNICIPALITY_OFFICIAL, Role.COORDINATOR, Role.ADMIN},
    description="Counts per team, cohort and status; counts below 5 suppressed",
)
read_selection_pipeline = authorize(
    Action.read("selection_pipeline"), roles={Role.COORDINATOR, Role.ADMIN},
    description="Children per selection stage, team and its main school",
)
class GuardianContact(BaseModel):
    guardian_id: str
    given_names: str
    family_name: str
    phone: str
    email: str


class RosterChild(BaseModel):
    child_id: str
    status: str
    given_names: str
    family_name: str
    birth_year: int | None
    hetu_masked: str | None
    school_name: str | None
    class_name: str | None
    enrolled_on: date | None
    guardians: list[GuardianContact]
    consents_in_force: list[str]


class WaitingChild(BaseModel):
    child_id: str
    given_names: str
    family_name: str
    birth_year: int | None
    guardians: list[GuardianContact]


class MentorTeam(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(MENTOR_TEAM))

    team_id: str
    name: str
    municipality_code: str
    area: str
    main_school: str
    status: str
    max_size: int
    cohort_birth_years: list[int]
    size: int
    roster: list[RosterChild]
    waiting_list: list[WaitingChild]


class MentorAssignmentView(BaseModel):
    mentor_id: str
    role: str
    started_on: date
    ended_on: date | None
    end_reason: str | None
    predecessor_id: str | None
    successor_id: str | None


class TeamOverview(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(TEAM_OVERVIEW))

    team_id: str
    municipality_code: str
    county_code: str
    name: str
    area: str
    status: str
    max_size: int
    size: int
    team_year: int
    target_min: int
    target_max: int
    within_target_size: bool
    lead_mentor_id: str | None
    lead_mentor_vacant: bool
    mentor_handovers: int
    waitlisted: int
    with_participation_consent: int
    consent_coverage_percent: float | None
    mentors: list[MentorAssignmentView]


class TeamSummary(BaseModel):
    team_id: str
    name: str
    area: str
    status: str


class EnrolmentCount(BaseModel):
    team_id: str
    team_name: str
    cohort: int | None
    status: str
    children: int | None
    suppressed: bool


class ExitCount(BaseModel):
    exit_reason: str | None
    children: int | None
    suppressed: bool


class MunicipalityStatistics(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(MUNICIPALITY_STATISTICS))

    municipality_code: str
    teams: list[TeamSummary]
    enrolment: list[EnrolmentCount]
    exits: list[ExitCount]


class PipelineRow(BaseModel):
    """Children of one nominating preschool per selection stage; a count of 1-4 is null (suppressed)."""

    model_config = ConfigDict(json_schema_extra=examples(PIPELINE_ROW))

    preschool: str
    preschool_code: str
    nominated: int | None
    guardians_informed: int | None
    selected: int | None
    waitlisted: int | None
    not_selected: int | None
    enrolled: int | None
    suppressed: bool


def read_router() -> APIRouter:
    router = APIRouter(tags=["read models"], responses=ERROR_RESPONSES)

    @router.get("/mentor/teams", summary="The mentor's own teams: roster, guardians, consents, waiting list")
    async def mentor_teams(
        access: Annotated[Access, Depends(read_mentor_teams)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> list[MentorTeam]:
        principal = access.principal
        relations = await enrollment.relations(principal)
        async with enrollment.connections.acquire() as conn:
            teams = await queries.mentor_teams(conn, relations.team_ids, principal.tenants, enrollment.clock())
        children = [c["child_id"] for t in teams for c in [*t["roster"], *t["waiting_list"]]]
        await access.record_many(children)
        return [MentorTeam.model_validate(team) for team in teams]

    @router.get("/teams", summary="Every team of the caller's municipalities: size, mentors, consent coverage")
    async def teams(
        access: Annotated[Access, Depends(read_team_overview)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> list[TeamOverview]:
        async with enrollment.connections.acquire() as conn:
            rows = await queries.team_overview(conn, access.principal.tenants, enrollment.clock().date())
        return [TeamOverview.model_validate(row) for row in rows]

    @router.get(
        "/municipalities/{municipality_code}/statistics",
        summary="Teams and enrolled children by cohort and status, exits by reason; counts below 5 suppressed",
    )
    async def statistics(
        municipality_code: MunicipalityCodePath,
        access: Annotated[Access, Depends(read_municipality_statistics)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> MunicipalityStatistics:
        access.ensure_tenant(municipality_code)
        async with enrollment.connections.acquire() as conn:
            data = await queries.municipality_statistics(conn, municipality_code)
        return MunicipalityStatistics.model_validate(data)

    @router.get(
        "/municipalities/{municipality_code}/selection-pipeline",
        summary="Children per selection stage and nominating preschool (counts of 1-4 suppressed)",
    )
    async def pipeline(
        municipality_code: MunicipalityCodePath,
        access: Annotated[Access, Depends(read_selection_pipeline)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> list[PipelineRow]:
        access.ensure_tenant(municipality_code)
        async with enrollment.connections.acquire() as conn:
            rows = await queries.selection_pipeline(conn, municipality_code)
        return [PipelineRow.model_validate(row) for row in rows]

    return router
