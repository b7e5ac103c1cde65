"""Reads of the case log's read models, one function per view (each carries only what its reader needs)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rinnalla_caselog.config import READ_SCHEMA
from rinnalla_caselog.domain.worktime import iso_week

S = READ_SCHEMA


async def child_contacts(conn: Any, child_id: str) -> list[dict[str, Any]]:
    """The child's contacts, newest first, with this child's note and outcome areas only (a group contact's
    other children are not named)."""
    rows = await conn.fetch(
        f"""SELECT c.contact_id, c.team_id, c.on_day, c.minutes, c.setting, c.participants, c.recorded_by,
                   c.version, k.note, k.outcome_areas
              FROM {S}.contact_children k JOIN {S}.contacts c USING (contact_id)
             WHERE k.child_id = $1
             ORDER BY c.on_day DESC, c.recorded_at DESC, c.contact_id""",
        child_id,
    )
    return [
        {
            "contact_id": row["contact_id"], "team_id": row["team_id"], "on": row["on_day"],
            "minutes": row["minutes"], "setting": row["setting"], "participants": list(row["participants"]),
            "recorded_by": row["recorded_by"], "corrected": row["version"] > 1, "note": row["note"],
            "outcome_areas": list(row["outcome_areas"]),
        }
        for row in rows
    ]


async def child_assessments(conn: Any, child_id: str, *, include_research: bool = False) -> list[dict[str, Any]]:
    """The child's assessments with their scales' scores; research-register ones only when asked (never in
    staff views)."""
    rows = await conn.fetch(
        f"""SELECT assessment_id, instrument, version, informant, wave, wave_year, on_day, recorded_for,
                   scores::text AS scores, recorded_by, corrected
              FROM {S}.assessments
             WHERE child_id = $1 AND ($2 OR recorded_for = 'delivery')
             ORDER BY on_day DESC, assessment_id""",
        child_id, include_research,
    )
    return [
        {
            "assessment_id": row["assessment_id"], "instrument": row["instrument"], "version": row["version"],
            "informant": row["informant"], "wave": row["wave"], "wave_year": row["wave_year"], "on": row["on_day"],
            "scores": json.loads(row["scores"]), "recorded_by": row["recorded_by"], "corrected": row["corrected"],
        }
        for row in rows
    ]


async def child_goals(conn: Any, child_id: str) -> list[dict[str, Any]]:
    """The child's goals (the predecessor's included), each with its reviews, oldest review first."""
    goals = await conn.fetch(
        f"""SELECT goal_id, team_id, area, wording, set_on, target_on, set_by, status, last_rating, last_reviewed_on
              FROM {S}.goals WHERE child_id = $1 ORDER BY set_on DESC, goal_id""",
        child_id,
    )
    reviews = await conn.fetch(
        f"SELECT goal_id, reviewed_on, rating, status, note, reviewed_by FROM {S}.goal_reviews"
        " WHERE child_id = $1 ORDER BY goal_id, version",
        child_id,
    )
    by_goal: dict[str, list[dict[str, Any]]] = {}
    for review in reviews:
        row = dict(review)
        by_goal.setdefault(str(row.pop("goal_id")), []).append(row)
    return [{**dict(goal), "reviews": by_goal.get(goal["goal_id"], [])} for goal in goals]


async def minutes_by_week(conn: Any, mentor_id: str, first: date, last: date) -> dict[str, dict[str, int]]:
    """Per ISO week from `first` to `last`: the minutes the mentor logged per work area (contacts by setting,
    team sessions) and the administration minutes they reported."""
    rows = await conn.fetch(
        f"""SELECT to_char(on_day, 'IYYY-"W"IW') AS week, work_area, sum(minutes)::int AS minutes
              FROM {S}.contacts WHERE recorded_by = $1 AND on_day BETWEEN $2 AND $3 GROUP BY 1, 2
            UNION ALL
            SELECT to_char(on_day, 'IYYY-"W"IW'), 'team', sum(minutes)::int
              FROM {S}.sessions WHERE held_by = $1 AND on_day BETWEEN $2 AND $3 GROUP BY 1
            UNION ALL
            SELECT week, 'administration', administration_minutes
              FROM {S}.time_reports WHERE mentor_id = $1 AND week BETWEEN $4 AND $5""",
        mentor_id, first, last, iso_week(first), iso_week(last),
    )
    weeks: dict[str, dict[str, int]] = {}
    for row in rows:
        area = weeks.setdefault(row["week"], {})
        area[row["work_area"]] = area.get(row["work_area"], 0) + row["minutes"]
    return dict(sorted(weeks.items()))


async def own_markers(conn: Any, mentor_id: str) -> list[dict[str, Any]]:
    """The notification markers the mentor recorded, newest first (never anyone else's)."""
    rows = await conn.fetch(
        f"""SELECT marker_id, child_id, team_id, filed_on, county_code, filer_role, channel, family_informed
              FROM {S}.notification_markers WHERE recorded_by = $1 ORDER BY filed_on DESC, marker_id""",
        mentor_id,
    )
    return [dict(row) for row in rows]


async def mentor_teams_in(conn: Any, mentor_id: str) -> list[dict[str, Any]]:
    """The teams the mentor has worked in, with their municipality (for a coordinator's check)."""
    rows = await conn.fetch(
        f"SELECT DISTINCT t.team_id, t.municipality_code FROM {S}.mentor_terms m JOIN {S}.teams t USING (team_id)"
        " WHERE m.mentor_id = $1",
        mentor_id,
    )
    return [dict(row) for row in rows]
