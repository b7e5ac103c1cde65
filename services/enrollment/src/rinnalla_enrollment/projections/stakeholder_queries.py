"""Reads for the stakeholders outside the programme's staff: the county's social worker, the school, the
guardian and the social-impact-bond fund. Each selects only the columns its view shows (data minimisation by
construction): no query here reads an identity code, a date of birth or a nomination reason."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from rinnalla_enrollment.projections.tables import READ_SCHEMA

S = READ_SCHEMA

# The SIB fund's outcome columns: where the cohort's children are now (statuses of enrolled children).
SIB_OUTCOMES = ("active", "completed", "follow_up", "exited_out_of_home_placement", "exited_other")


def _rows(records: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(record) for record in records]


async def team_contacts(conn: Any, team_ids: Iterable[str], today: date) -> dict[str, list[dict[str, Any]]]:
    """The current mentors of each team with their work contact (no mentor id: families need the contact)."""
    records = await conn.fetch(
        f"""SELECT team_id, role, contact_name AS name, contact_phone AS phone, contact_email AS email
              FROM {S}.team_mentors
             WHERE team_id = ANY($1::text[]) AND started_on <= $2 AND (ended_on IS NULL OR ended_on > $2)
             ORDER BY team_id, CASE role WHEN 'lead' THEN 0 WHEN 'pair' THEN 1 ELSE 2 END, started_on""",
        list(team_ids), today,
    )
    contacts: dict[str, list[dict[str, Any]]] = {}
    for row in records:
        contacts.setdefault(row["team_id"], []).append({k: row[k] for k in ("role", "name", "phone", "email")})
    return contacts


async def county_children(conn: Any, municipality_codes: Iterable[str]) -> list[dict[str, Any]]:
    """Children in a team, of the given municipalities, whose consent for sharing with social services was in
    force when last recorded (the caller checks it again now, with the consent rules)."""
    return _rows(
        await conn.fetch(
            f"""SELECT c.child_id, c.given_names, c.family_name, c.birth_year, c.municipality_code, c.status,
                       c.team_id, t.name AS team_name
                  FROM {S}.children c
                  JOIN {S}.teams t ON t.team_id = c.team_id
                  JOIN {S}.consent_status cs
                    ON cs.child_id = c.child_id AND cs.purpose = 'sharing_with_social_services'
                   AND (cs.in_force OR cs.changes_at IS NOT NULL)
                 WHERE c.status = 'active' AND c.municipality_code = ANY($1::text[])
                 ORDER BY c.municipality_code, c.family_name, c.given_names, c.child_id""",
            list(municipality_codes),
        )
    )


async def school_pupils(conn: Any, school_code: str, municipality_codes: Iterable[str]) -> list[dict[str, Any]]:
    """The school's pupils in a team whose consent for sharing with the school was in force when last
    recorded (checked again now by the caller)."""
    return _rows(
        await conn.fetch(
            f"""SELECT c.child_id, c.given_names, c.family_name, c.class_name, c.municipality_code,
                       c.team_id, t.name AS team_name
                  FROM {S}.children c
                  JOIN {S}.teams t ON t.team_id = c.team_id
                  JOIN {S}.consent_status cs
                    ON cs.child_id = c.child_id AND cs.purpose = 'sharing_with_school'
                   AND (cs.in_force OR cs.changes_at IS NOT NULL)
                 WHERE c.status = 'active' AND c.school_code = $1 AND c.municipality_code = ANY($2::text[])
                 ORDER BY c.class_name, c.family_name, c.given_names, c.child_id""",
            school_code, list(municipality_codes),
        )
    )


async def guardian_children(conn: Any, child_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The guardian's children: participation, team, school and class."""
    return _rows(
        await conn.fetch(
            f"""SELECT c.child_id, c.given_names, c.family_name, c.municipality_code, c.status,
                       coalesce(c.team_id, c.considered_team_id) AS team_id, t.name AS team_name, t.area AS team_area,
                       c.school_name, c.class_name, c.enrolled_on, c.ended_on
                  FROM {S}.children c
                  LEFT JOIN {S}.teams t ON t.team_id = coalesce(c.team_id, c.considered_team_id)
                 WHERE c.child_id = ANY($1::text[])
                 ORDER BY c.given_names, c.child_id""",
            list(child_ids),
        )
    )


async def sib_cohort_counts(conn: Any, municipality_codes: Iterable[str]) -> dict[tuple[tuple[str, int], str], int]:
    """Enrolled children per (municipality, cohort) and where they are now; counts only."""
    records = await conn.fetch(
        f"""SELECT t.municipality_code, c.birth_year AS cohort,
                   CASE WHEN c.status = 'exited' AND c.exit_reason = 'out_of_home_placement'
                             THEN 'exited_out_of_home_placement'
                        WHEN c.status = 'exited' THEN 'exited_other'
                        ELSE c.status END AS outcome,
                   count(*) AS n
              FROM {S}.children c JOIN {S}.teams t ON t.team_id = c.team_id
             WHERE c.status IN ('active', 'exited', 'completed', 'follow_up') AND c.birth_year IS NOT NULL
               AND t.municipality_code = ANY($1::text[])
             GROUP BY 1, 2, 3""",
        list(municipality_codes),
    )
    return {((r["municipality_code"], r["cohort"]), r["outcome"]): r["n"] for r in records}
