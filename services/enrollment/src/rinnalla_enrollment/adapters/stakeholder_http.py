"""The read views of the stakeholders outside the programme's staff, each minimal by construction (section 7
of the data-minimisation rules; the legal readings are in docs/law.md):

- `GET /v1/county/children` (county social worker): the county's children in a team whose consent for
  sharing with social services is in force now: name, birth year, team and its mentors' work contact. Never
  the identity code, date of birth, guardians, school, other consents, children without that consent or
  another county's children.
- `GET /v1/school/pupils` (school): the school's pupils in a team whose consent for sharing with the school
  is in force now: name, class, team and its mentors' work contact. Never the identity code, birth date or
  year, guardians, consents or another school's pupils.
- `GET /v1/guardian/children` (guardian): their children's participation, team, mentors' work contact,
  school and class, consents now, who read the child's data and to whom it was disclosed, and who read the
  guardian's own data. Never another child, an identity code or the nomination reasons.
- `GET /v1/counties/{county_code}/statistics` (county social worker, own county): the municipality
  statistics (suppressed counts, no person) of the county's municipalities that have teams.
- `GET /v1/sib/cohorts` (SIB fund): per municipality and cohort, the children enrolled and where they are
  now, every count suppressed (`rinnalla_security.suppress`). Never a person's data, a count of 1-4 or a
  count that the totals give away.

The county and the school receive data from another controller: every child they are shown is written to
the access log and to the disclosure log (recipient, what, the consent it rests on).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import rinnalla_consent as consent
from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict
from rinnalla_refdata import municipalities
from rinnalla_security import (
    SUPPRESS_BELOW,
    Access,
    Action,
    NotFound,
    PermissionDenied,
    ProcessingPurpose,
    Role,
    authorize,
    service_day,
    suppress,
)

from rinnalla_enrollment.adapters.dependencies import get_enrollment
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES
from rinnalla_enrollment.adapters.examples import (
    COUNTY_CHILD,
    COUNTY_STATISTICS,
    GUARDIAN_CHILDREN,
    SCHOOL_PUPIL,
    SIB_COHORTS,
    examples,
)
from rinnalla_enrollment.adapters.read_http import MunicipalityStatistics
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.projections import queries
from rinnalla_enrollment.projections import stakeholder_queries as q
from rinnalla_enrollment.projections.enrollment_view import consent_view_of

SCHOOL_ORGANISATION_PREFIX = "school-"
CountyCodePath = Annotated[
    str, Path(pattern=r"^(0[1-9]|1\d|2[01])$", description="wellbeing services county code, e.g. 04 Vantaa and Kerava")
]
LOG_PERIOD = timedelta(days=2 * 365)  # what a client is normally given of the log (Act 703/2023)

read_county_children = authorize(
    Action.read("county_children"), roles={Role.COUNTY_SOCIAL_WORKER}, personal_data=True,
    purposes={ProcessingPurpose.COUNTY_COOPERATION.value},
    description="The county's children in a team whose consent for sharing with social services is in force",
)
read_school_pupils = authorize(
    Action.read("school_pupils"), roles={Role.SCHOOL}, personal_data=True,
    purposes={ProcessingPurpose.SCHOOL_COOPERATION.value},
    description="The school's pupils in a team whose consent for sharing with the school is in force",
)
read_guardian_children = authorize(
    Action.read("guardian_children"), roles={Role.GUARDIAN}, personal_data=True,
    purposes={ProcessingPurpose.OWN_CHILD.value},
    description="The guardian's own children: participation, team, mentor contact, consents, who looked",
)
read_county_statistics = authorize(
    Action.read("county_statistics"), roles={Role.COUNTY_SOCIAL_WORKER},
    description="The suppressed counts of the county's municipalities (teams, enrolment, exits); no person",
)
read_sib_cohorts = authorize(
    Action.read("sib_cohorts"), roles={Role.SIB_FUND},
    description="Cohort counts and outcomes of the fund's contract municipalities; suppressed, never a person",
)


class MentorContactView(BaseModel):
    role: str
    name: str
    phone: str
    email: str


class TeamContact(BaseModel):
    team_id: str
    name: str
    mentors: list[MentorContactView]


class CountyChild(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(COUNTY_CHILD))

    child_id: str
    given_names: str
    family_name: str
    birth_year: int | None
    municipality_code: str
    status: str
    team: TeamContact
    consent_id: str | None


class SchoolPupil(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(SCHOOL_PUPIL))

    child_id: str
    given_names: str
    family_name: str
    class_name: str | None
    team: TeamContact


class ConsentNow(BaseModel):
    purpose: str
    in_force: bool
    consent_id: str | None
    reason: str


class LogLine(BaseModel):
    """One read of the data: when, who (name, roles, organisation), for what purpose, what."""

    occurred_at: datetime
    actor_name: str
    actor_roles: list[str]
    actor_organisation: str | None
    purpose: str
    action: str


class DisclosureLine(BaseModel):
    occurred_at: datetime
    actor_name: str
    recipient_organisation: str
    disclosed: str
    purpose: str
    consent_id: str | None
    legal_basis: str | None


class GuardianChild(BaseModel):
    child_id: str
    given_names: str
    family_name: str
    status: str
    school_name: str | None
    class_name: str | None
    enrolled_on: date | None
    ended_on: date | None
    team: TeamContact | None
    consents: list[ConsentNow]
    accesses: list[LogLine]
    disclosures: list[DisclosureLine]


class GuardianView(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(GUARDIAN_CHILDREN))

    guardian_id: str
    children: list[GuardianChild]
    accesses_to_your_data: list[LogLine]


class CountyStatistics(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(COUNTY_STATISTICS))

    county_code: str
    municipalities: list[MunicipalityStatistics]


class SibCohort(BaseModel):
    """Children enrolled from one cohort (birth year) of one municipality and where they are now; a hidden
    count is null."""

    municipality_code: str
    cohort: int
    enrolled: int | None
    active: int | None
    completed: int | None
    follow_up: int | None
    exited_out_of_home_placement: int | None
    exited_other: int | None
    suppressed: bool


class SibReport(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(SIB_COHORTS))

    suppressed_below: int
    cohorts: list[SibCohort]
    totals: dict[str, int | None]
    enrolled: int | None


def county_municipalities(counties: frozenset[str]) -> list[str]:
    return sorted(code for code, m in municipalities().items() if m.county_code in counties)


def _school_code(access: Access) -> str:
    organisation = access.principal.organisation_id or ""
    if not organisation.startswith(SCHOOL_ORGANISATION_PREFIX) or organisation == SCHOOL_ORGANISATION_PREFIX:
        raise PermissionDenied("your token names no school (organisation school-<school code>)")
    return organisation.removeprefix(SCHOOL_ORGANISATION_PREFIX)


def _team(row: dict[str, Any], contacts: dict[str, list[dict[str, Any]]]) -> TeamContact:
    team_id = row["team_id"]
    return TeamContact(
        team_id=team_id, name=row["team_name"],
        mentors=[MentorContactView.model_validate(c) for c in contacts.get(team_id, [])],
    )


async def _disclosed(
    enrollment: Enrollment, rows: list[dict[str, Any]], recipient: consent.RecipientKind, purpose: consent.Purpose
) -> list[tuple[dict[str, Any], consent.Decision]]:
    """The rows whose data may be disclosed to the recipient now, by the consent rules over the register."""
    now = enrollment.clock()
    allowed = []
    async with enrollment.connections.acquire() as conn:
        for row in rows:
            view = await consent_view_of(conn, row["child_id"])
            decision = consent.may_disclose(view, row["child_id"], recipient, purpose, now)
            if decision.allowed:
                allowed.append((row, decision))
    return allowed


async def _log_disclosures(
    access: Access, shown: list[tuple[dict[str, Any], consent.Decision]], recipient: str, disclosed: str
) -> None:
    by_tenant: dict[str, list[str]] = defaultdict(list)
    for row, _ in shown:
        by_tenant[row["municipality_code"]].append(row["child_id"])
    for tenant, child_ids in by_tenant.items():
        await access.record_many(child_ids, tenant=tenant)
    for row, decision in shown:
        await access.record_disclosure(
            row["child_id"], recipient_organisation=recipient, disclosed=disclosed,
            consent_id=decision.consent_id, tenant=row["municipality_code"],
        )
    if not shown:
        await access.record_many([])


def _log_line(entry: Any) -> LogLine:
    return LogLine(
        occurred_at=entry.occurred_at, actor_name=entry.actor_name, actor_roles=list(entry.actor_roles),
        actor_organisation=entry.actor_organisation, purpose=entry.purpose, action=entry.action,
    )


def stakeholder_router() -> APIRouter:
    router = APIRouter(tags=["stakeholder views"], responses=ERROR_RESPONSES)

    @router.get("/county/children", summary="The county's children in a team, by consent for sharing with it")
    async def county_children(
        access: Annotated[Access, Depends(read_county_children)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> list[CountyChild]:
        principal = access.principal
        async with enrollment.connections.acquire() as conn:
            rows = await q.county_children(conn, county_municipalities(principal.counties))
        shown = await _disclosed(
            enrollment, rows, consent.RecipientKind.SOCIAL_SERVICES, consent.Purpose.SHARING_WITH_SOCIAL_SERVICES
        )
        async with enrollment.connections.acquire() as conn:
            contacts = await q.team_contacts(conn, {row["team_id"] for row, _ in shown},
                                             service_day(enrollment.clock()))
        recipient = principal.organisation_id or ", ".join(sorted(principal.tenants))
        await _log_disclosures(access, shown, recipient, "name, birth year, participation, team and mentor contact")
        return [
            CountyChild(
                child_id=row["child_id"], given_names=row["given_names"], family_name=row["family_name"],
                birth_year=row["birth_year"], municipality_code=row["municipality_code"], status=row["status"],
                team=_team(row, contacts), consent_id=decision.consent_id,
            )
            for row, decision in shown
        ]

    @router.get("/school/pupils", summary="The school's pupils in a team, by consent for sharing with the school")
    async def school_pupils(
        access: Annotated[Access, Depends(read_school_pupils)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> list[SchoolPupil]:
        principal = access.principal
        school_code = _school_code(access)
        async with enrollment.connections.acquire() as conn:
            rows = await q.school_pupils(conn, school_code, principal.municipalities)
        shown = await _disclosed(enrollment, rows, consent.RecipientKind.SCHOOL, consent.Purpose.SHARING_WITH_SCHOOL)
        async with enrollment.connections.acquire() as conn:
            contacts = await q.team_contacts(conn, {row["team_id"] for row, _ in shown},
                                             service_day(enrollment.clock()))
        recipient = principal.organisation_id or school_code
        await _log_disclosures(access, shown, recipient, "name, class, team and mentor contact")
        return [
            SchoolPupil(
                child_id=row["child_id"], given_names=row["given_names"], family_name=row["family_name"],
                class_name=row["class_name"], team=_team(row, contacts),
            )
            for row, _ in shown
        ]

    @router.get("/guardian/children", summary="Your children: participation, team, mentor, consents, who looked")
    async def guardian_children(
        access: Annotated[Access, Depends(read_guardian_children)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> GuardianView:
        principal = access.principal
        relations = await enrollment.relations(principal)
        now = enrollment.clock()
        since = now - LOG_PERIOD
        log = enrollment.audit_log
        async with enrollment.connections.acquire() as conn:
            rows = [r for r in await q.guardian_children(conn, relations.child_ids)
                    if r["municipality_code"] in principal.tenants]
            contacts = await q.team_contacts(conn, {r["team_id"] for r in rows if r["team_id"]}, service_day(now))
            views = {row["child_id"]: await consent_view_of(conn, row["child_id"]) for row in rows}
        # a minor who understands may refuse a guardian as a recipient (Act 812/2000 11 §): that child's data
        # is not shown to that guardian, like every other read (the consent answer is 404 for them too)
        rows = [r for r in rows
                if consent.guardian_may_see(views[r["child_id"]], r["child_id"], principal.subject, now).allowed]
        children = []
        for row in rows:
            child_id = row["child_id"]
            accesses = await log.accesses_for_subject(child_id, since=since)
            disclosures = await log.disclosures_for_subject(child_id, since=since)
            consents = []
            for purpose in consent.Purpose:
                decision = consent.consent_in_force(views[child_id], child_id, purpose, now)
                consents.append(ConsentNow(purpose=purpose.value, in_force=decision.allowed,
                                           consent_id=decision.consent_id, reason=decision.reason))
            children.append(GuardianChild(
                child_id=child_id, given_names=row["given_names"], family_name=row["family_name"],
                status=row["status"], school_name=row["school_name"], class_name=row["class_name"],
                enrolled_on=row["enrolled_on"], ended_on=row["ended_on"],
                team=_team(row, contacts) if row["team_id"] and row["team_name"] else None,
                consents=consents,
                accesses=[_log_line(entry) for entry in accesses],
                disclosures=[
                    DisclosureLine(
                        occurred_at=d.occurred_at, actor_name=d.actor_name,
                        recipient_organisation=d.recipient_organisation, disclosed=d.disclosed, purpose=d.purpose,
                        consent_id=d.consent_id, legal_basis=d.legal_basis,
                    )
                    for d in disclosures
                ],
            ))
        own = await log.accesses_for_subject(principal.subject, since=since)
        await access.record_many([row["child_id"] for row in rows])
        return GuardianView(
            guardian_id=principal.subject, children=children,
            accesses_to_your_data=[_log_line(entry) for entry in own],
        )

    @router.get(
        "/counties/{county_code}/statistics",
        summary="The county's municipalities: teams, enrolment by cohort and status, exits; counts suppressed",
    )
    async def county_statistics(
        county_code: CountyCodePath,
        access: Annotated[Access, Depends(read_county_statistics)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> CountyStatistics:
        if county_code not in access.principal.counties:
            raise NotFound()  # another county's figures: as if they did not exist
        found = []
        async with enrollment.connections.acquire() as conn:
            for code in county_municipalities(frozenset({county_code})):
                data = await queries.municipality_statistics(conn, code)
                if data["teams"]:
                    found.append(MunicipalityStatistics.model_validate(data))
        return CountyStatistics(county_code=county_code, municipalities=found)

    @router.get("/sib/cohorts", summary="Cohort counts and outcomes for the fund; suppressed, never a person")
    async def sib_cohorts(
        access: Annotated[Access, Depends(read_sib_cohorts)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
    ) -> SibReport:
        async with enrollment.connections.acquire() as conn:
            counts = await q.sib_cohort_counts(conn, access.principal.municipalities)
        rows = sorted({row for row, _ in counts})
        table = suppress(counts, rows=rows, columns=q.SIB_OUTCOMES)
        cohorts = []
        for municipality_code, cohort in table.rows:
            values = {outcome: table.cell((municipality_code, cohort), outcome) for outcome in q.SIB_OUTCOMES}
            enrolled = table.row_total((municipality_code, cohort))
            cohorts.append(SibCohort(
                municipality_code=municipality_code, cohort=cohort, enrolled=enrolled, **values,
                suppressed=enrolled is None or any(value is None for value in values.values()),
            ))
        return SibReport(
            suppressed_below=SUPPRESS_BELOW, cohorts=cohorts,
            totals={outcome: table.column_total(outcome) for outcome in q.SIB_OUTCOMES}, enrolled=table.total,
        )

    return router
