"""Reads of the case log's read models, one function per view (each carries only what its reader needs)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import rinnalla_consent as consent

from rinnalla_caselog.config import READ_SCHEMA
from rinnalla_caselog.domain.worktime import iso_week
from rinnalla_caselog.projections.consent_facts import fact_from_json

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


async def consent_views(conn: Any, child_ids: list[str]) -> dict[str, consent.ConsentView]:
    """Each child's consent register, folded from the roster's copy of enrollment's consent events."""
    rows = await conn.fetch(
        f"SELECT child_id, fact::text AS fact FROM {S}.consent_facts WHERE child_id = ANY($1::text[])"
        " ORDER BY child_id, position, ordinal",
        child_ids,
    )
    facts: dict[str, list[consent.ConsentFact]] = {child_id: [] for child_id in child_ids}
    for row in rows:
        facts[row["child_id"]].append(fact_from_json(row["fact"]))
    return {child_id: consent.fold(found) for child_id, found in facts.items()}


async def teams_mentored(conn: Any, mentor_id: str, today: date) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT t.team_id, t.name, t.municipality_code FROM {S}.mentor_terms m JOIN {S}.teams t USING (team_id)
             WHERE m.mentor_id = $1 AND m.starts_on <= $2 AND (m.left_on IS NULL OR $2 < m.left_on)
             ORDER BY t.name""",
        mentor_id, today,
    )
    return [dict(row) for row in rows]


async def team_children(conn: Any, team_id: str, today: date) -> list[dict[str, Any]]:
    """The team's children today, with what the mentor's day needs about each."""
    rows = await conn.fetch(
        f"""SELECT m.child_id, c.born_on, c.enrolled_on,
                   (SELECT max(k.on_day) FROM {S}.contact_children k WHERE k.child_id = m.child_id) AS last_contact,
                   (SELECT count(*) FILTER (WHERE a.present) FROM {S}.attendance a
                     WHERE a.child_id = m.child_id AND a.on_day > $2::date - 28 AND a.on_day <= $2) AS present_recent,
                   (SELECT count(*) FROM {S}.attendance a
                     WHERE a.child_id = m.child_id AND a.on_day > $2::date - 28 AND a.on_day <= $2) AS expected_recent,
                   (SELECT count(*) FILTER (WHERE a.present) FROM {S}.attendance a
                     WHERE a.child_id = m.child_id AND a.on_day > $2::date - 56
                       AND a.on_day <= $2::date - 28) AS present_before,
                   (SELECT count(*) FROM {S}.attendance a
                     WHERE a.child_id = m.child_id AND a.on_day > $2::date - 56
                       AND a.on_day <= $2::date - 28) AS expected_before
              FROM {S}.memberships m LEFT JOIN {S}.children c USING (child_id)
             WHERE m.team_id = $1 AND m.joined_on <= $2 AND (m.left_on IS NULL OR $2 < m.left_on)
             ORDER BY m.child_id""",
        team_id, today,
    )
    return [dict(row) for row in rows]


async def open_goals(conn: Any, child_ids: list[str]) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT goal_id, child_id, area, set_on, target_on, last_reviewed_on FROM {S}.goals"
        " WHERE child_id = ANY($1::text[]) AND status = 'open' ORDER BY child_id, set_on",
        child_ids,
    )
    return [dict(row) for row in rows]


async def recorded_waves(conn: Any, child_ids: list[str]) -> dict[str, set[tuple[str, str, str]]]:
    rows = await conn.fetch(
        f"SELECT child_id, instrument, informant, wave, wave_year FROM {S}.assessments"
        " WHERE child_id = ANY($1::text[])",
        child_ids,
    )
    found: dict[str, set[tuple[str, str, str]]] = {child_id: set() for child_id in child_ids}
    for row in rows:
        wave = f"annual-{row['wave_year']}" if row["wave"] == "annual" else row["wave"]
        found[row["child_id"]].add((row["instrument"], row["informant"], wave))
    return found


async def sessions_on(conn: Any, team_id: str, day: date) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT s.session_id, s.kind, s.minutes,
                   (SELECT count(*) FILTER (WHERE a.present) FROM {S}.attendance a
                     WHERE a.session_id = s.session_id) AS present,
                   (SELECT count(*) FROM {S}.attendance a WHERE a.session_id = s.session_id) AS expected
              FROM {S}.sessions s WHERE s.team_id = $1 AND s.on_day = $2 ORDER BY s.session_id""",
        team_id, day,
    )
    return [dict(row) for row in rows]


async def team_of(conn: Any, team_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT team_id, name, municipality_code FROM {S}.teams WHERE team_id = $1", team_id)
    return None if row is None else dict(row)


async def team_mentors(conn: Any, team_id: str, first: date, last: date) -> list[str]:
    rows = await conn.fetch(
        f"""SELECT DISTINCT mentor_id FROM {S}.mentor_terms
             WHERE team_id = $1 AND starts_on <= $3 AND (left_on IS NULL OR left_on > $2) ORDER BY mentor_id""",
        team_id, first, last,
    )
    return [row["mentor_id"] for row in rows]


async def contact_frequency(conn: Any, team_id: str, today: date) -> list[dict[str, Any]]:
    """Per child of the team today: contacts in the last 30 and 90 days, and the last contact's day."""
    rows = await conn.fetch(
        f"""SELECT m.child_id,
                   count(k.contact_id) FILTER (WHERE k.on_day > $2::date - 30) AS last_30_days,
                   count(k.contact_id) FILTER (WHERE k.on_day > $2::date - 90) AS last_90_days,
                   max(k.on_day) AS last_contact
              FROM {S}.memberships m LEFT JOIN {S}.contact_children k ON k.child_id = m.child_id AND k.on_day <= $2
             WHERE m.team_id = $1 AND m.joined_on <= $2 AND (m.left_on IS NULL OR $2 < m.left_on)
             GROUP BY m.child_id ORDER BY m.child_id""",
        team_id, today,
    )
    return [dict(row) for row in rows]


async def assessment_coverage(conn: Any, team_id: str) -> list[dict[str, Any]]:
    """Per instrument, informant and wave: how many of the team's current children have one."""
    rows = await conn.fetch(
        f"""SELECT a.instrument, a.informant,
                   CASE WHEN a.wave = 'annual' THEN 'annual-' || a.wave_year ELSE a.wave END AS wave,
                   count(DISTINCT a.child_id) AS children
              FROM {S}.assessments a JOIN {S}.memberships m ON m.child_id = a.child_id AND m.left_on IS NULL
             WHERE m.team_id = $1
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        team_id,
    )
    return [dict(row) for row in rows]


async def team_outcomes(conn: Any, municipality_code: str, first: date, last: date) -> list[dict[str, Any]]:
    """Per team of the municipality over the period: children, attendance, dose, feedback means with their
    respondents (raw: the caller suppresses)."""
    rows = await conn.fetch(
        f"""SELECT t.team_id, t.name,
                   (SELECT count(DISTINCT m.child_id) FROM {S}.memberships m
                     WHERE m.team_id = t.team_id AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on > $2))
                       AS children,
                   (SELECT count(*) FILTER (WHERE a.present) FROM {S}.attendance a
                     WHERE a.team_id = t.team_id AND a.on_day BETWEEN $2 AND $3) AS present,
                   (SELECT count(*) FROM {S}.attendance a
                     WHERE a.team_id = t.team_id AND a.on_day BETWEEN $2 AND $3) AS expected,
                   (SELECT count(*) FROM {S}.contact_children k JOIN {S}.contacts c USING (contact_id)
                     WHERE c.team_id = t.team_id AND k.on_day BETWEEN $2 AND $3) AS child_contacts,
                   (SELECT avg((a.scores->>'mean')::numeric) FROM {S}.assessments a
                     WHERE a.team_id = t.team_id AND a.instrument = 'feedback_child' AND a.on_day BETWEEN $2 AND $3)
                       AS child_feedback_mean,
                   (SELECT count(*) FROM {S}.assessments a
                     WHERE a.team_id = t.team_id AND a.instrument = 'feedback_child' AND a.on_day BETWEEN $2 AND $3)
                       AS child_feedback_respondents,
                   (SELECT avg((a.scores->>'mean')::numeric) FROM {S}.assessments a
                     WHERE a.team_id = t.team_id AND a.instrument = 'feedback_guardian'
                       AND a.on_day BETWEEN $2 AND $3) AS guardian_feedback_mean,
                   (SELECT count(*) FROM {S}.assessments a
                     WHERE a.team_id = t.team_id AND a.instrument = 'feedback_guardian'
                       AND a.on_day BETWEEN $2 AND $3) AS guardian_feedback_respondents
              FROM {S}.teams t WHERE t.municipality_code = $1 ORDER BY t.name""",
        municipality_code, first, last,
    )
    return [dict(row) for row in rows]
