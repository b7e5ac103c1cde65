"""Reads of the case log's read models, one function per view (each carries only what its reader needs)."""

from __future__ import annotations

import json
from typing import Any

from rinnalla_caselog.config import READ_SCHEMA

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
