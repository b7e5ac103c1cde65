"""Reads of the read model, one function per stakeholder view (section 7 of the data-minimisation rules:
each view carries only what its stakeholder needs)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import rinnalla_consent as consent

from rinnalla_enrollment.domain.team_size import target_size, team_year, within_target
from rinnalla_enrollment.projections.enrollment_view import consent_views_of
from rinnalla_enrollment.projections.tables import PIPELINE_STAGES, READ_SCHEMA

S = READ_SCHEMA


def _rows(records: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(record) for record in records]


async def mentor_teams(
    conn: Any, team_ids: Iterable[str], tenants: Iterable[str], at: datetime
) -> list[dict[str, Any]]:
    """The mentor's own teams: roster with school and class, guardians' contacts, consents in force at `at`
    (judged then from the consent register, so an expiry or an 18th birthday shows on the day), waiting list.
    Identity codes only masked."""
    teams = _rows(
        await conn.fetch(
            f"SELECT team_id, name, municipality_code, area, main_school, status, max_size, cohort_birth_years"
            f" FROM {S}.teams WHERE team_id = ANY($1::text[]) AND municipality_code = ANY($2::text[])"
            " ORDER BY name",
            list(team_ids), list(tenants),
        )
    )
    for team in teams:
        children = _rows(
            await conn.fetch(
                f"""SELECT child_id, status, given_names, family_name, birth_year, hetu_masked, school_name,
                           class_name, enrolled_on, considered_team_id
                      FROM {S}.children
                     WHERE (status = 'active' AND team_id = $1)
                        OR (status = 'waitlisted' AND considered_team_id = $1)
                     ORDER BY family_name, given_names, child_id""",
                team["team_id"],
            )
        )
        ids = [child["child_id"] for child in children]
        guardians = await conn.fetch(
            f"SELECT child_id, guardian_id, given_names, family_name, phone, email FROM {S}.guardians"
            " WHERE child_id = ANY($1::text[]) ORDER BY child_id, ordinal",
            ids,
        )
        registers = await consent_views_of(conn, ids)
        for child in children:
            child["guardians"] = [
                {k: v for k, v in dict(g).items() if k != "child_id"}
                for g in guardians
                if g["child_id"] == child["child_id"]
            ]
            register = registers.get(child["child_id"], consent.ConsentView())
            child["consents_in_force"] = [
                purpose.value
                for purpose in consent.Purpose
                if consent.consent_in_force(register, child["child_id"], purpose, at).allowed
            ]
        team["roster"] = [
            {k: v for k, v in child.items() if k != "considered_team_id"}
            for child in children
            if child["status"] == "active"
        ]
        team["waiting_list"] = [
            {k: child[k] for k in ("child_id", "given_names", "family_name", "birth_year", "guardians")}
            for child in children
            if child["status"] == "waitlisted"
        ]
        team["size"] = len(team["roster"])
    return teams


async def team_overview(conn: Any, tenants: Iterable[str], today: date) -> list[dict[str, Any]]:
    """The coordinator's view of every team of their municipalities (no names), with the size the team
    aims for in its current year."""
    teams = _rows(
        await conn.fetch(
            f"SELECT * FROM {S}.v_team_overview WHERE municipality_code = ANY($1::text[])"
            " ORDER BY municipality_code, name",
            list(tenants),
        )
    )
    mentors = _rows(
        await conn.fetch(
            f"SELECT team_id, mentor_id, role, started_on, ended_on, end_reason, predecessor_id, successor_id"
            f" FROM {S}.team_mentors WHERE team_id = ANY($1::text[]) ORDER BY team_id, started_on, mentor_id",
            [t["team_id"] for t in teams],
        )
    )
    activated = {
        row["team_id"]: row["activated_on"]
        for row in await conn.fetch(
            f"SELECT team_id, activated_on FROM {S}.teams WHERE team_id = ANY($1::text[])",
            [t["team_id"] for t in teams],
        )
    }
    for team in teams:
        year = team_year(activated.get(team["team_id"]), today)
        team["team_year"] = year
        team["target_min"], team["target_max"] = target_size(year)
        team["within_target_size"] = within_target(team["size"], year)
        team["mentors"] = [
            {k: v for k, v in m.items() if k != "team_id"} for m in mentors if m["team_id"] == team["team_id"]
        ]
        coverage = team["consent_coverage_percent"]
        team["consent_coverage_percent"] = float(coverage) if coverage is not None else None
    return teams


async def municipality_statistics(conn: Any, municipality_code: str) -> dict[str, Any]:
    """Counts only, every count below the threshold suppressed (null)."""
    enrolment = _rows(
        await conn.fetch(
            f"SELECT team_id, team_name, cohort, status, children, suppressed FROM {S}.v_municipality_enrolment"
            " WHERE municipality_code = $1 ORDER BY team_name, cohort, status",
            municipality_code,
        )
    )
    exits = _rows(
        await conn.fetch(
            f"SELECT exit_reason, children, suppressed FROM {S}.v_municipality_exits"
            " WHERE municipality_code = $1 ORDER BY exit_reason",
            municipality_code,
        )
    )
    teams = _rows(
        await conn.fetch(
            f"SELECT team_id, name, area, status FROM {S}.teams WHERE municipality_code = $1 ORDER BY name",
            municipality_code,
        )
    )
    return {"municipality_code": municipality_code, "teams": teams, "enrolment": enrolment, "exits": exits}


async def selection_pipeline(conn: Any, municipality_code: str) -> list[dict[str, Any]]:
    """Children per stage and nominating preschool; every count of 1-4 suppressed (null)."""
    stages = ", ".join(PIPELINE_STAGES)
    return _rows(
        await conn.fetch(
            f"SELECT preschool, preschool_code, {stages}, suppressed FROM {S}.v_selection_pipeline"
            " WHERE municipality_code = $1 ORDER BY preschool, preschool_code",
            municipality_code,
        )
    )


async def child_scope(conn: Any, child_id: str) -> dict[str, Any] | None:
    """Where a child belongs (municipality, team), to decide who may see the child's records."""
    row = await conn.fetchrow(
        f"SELECT child_id, municipality_code, coalesce(team_id, considered_team_id) AS team_id, status"
        f" FROM {S}.children WHERE child_id = $1",
        child_id,
    )
    return dict(row) if row is not None else None
