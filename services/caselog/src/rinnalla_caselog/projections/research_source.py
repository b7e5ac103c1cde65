"""`ResearchSource` over the read models: the children of a municipality's teams with dose and scores."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import rinnalla_consent as consent
from rinnalla_events import ConnectionSource

from rinnalla_caselog.domain.research import ChildRecord
from rinnalla_caselog.projections import queries
from rinnalla_caselog.projections.queries import S


class ReadModelResearchSource:
    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    async def children_of(self, municipality_code: str) -> Sequence[ChildRecord]:
        async with self._connections.acquire() as conn:
            children = await conn.fetch(
                f"""SELECT DISTINCT c.child_id, c.born_on, c.enrolled_on, c.ended_on
                      FROM {S}.children c JOIN {S}.memberships m USING (child_id) JOIN {S}.teams t USING (team_id)
                     WHERE t.municipality_code = $1 AND c.enrolled_on IS NOT NULL
                     ORDER BY c.child_id""",
                municipality_code,
            )
            ids = [row["child_id"] for row in children]
            dose = await conn.fetch(
                f"""SELECT k.child_id, c.setting, to_char(k.on_day, 'YYYY-MM') AS month, count(*) AS contacts
                      FROM {S}.contact_children k JOIN {S}.contacts c USING (contact_id)
                     WHERE k.child_id = ANY($1::text[]) GROUP BY 1, 2, 3""",
                ids,
            )
            scores = await conn.fetch(
                f"""SELECT child_id, instrument, informant,
                           CASE WHEN wave = 'annual' THEN 'annual-' || wave_year ELSE wave END AS wave,
                           scores::text AS scores
                      FROM {S}.assessments WHERE child_id = ANY($1::text[])""",
                ids,
            )
        doses: dict[str, dict[tuple[str, str], int]] = {}
        for row in dose:
            doses.setdefault(row["child_id"], {})[(row["setting"], row["month"])] = int(row["contacts"])
        found: dict[str, dict[tuple[str, str, str], dict[str, float]]] = {}
        for row in scores:
            found.setdefault(row["child_id"], {})[(row["instrument"], row["informant"], row["wave"])] = json.loads(
                row["scores"]
            )
        return [
            ChildRecord(row["child_id"], row["born_on"], row["enrolled_on"], row["ended_on"],
                        doses.get(row["child_id"], {}), found.get(row["child_id"], {}))
            for row in children
        ]

    async def consent_views(self, child_ids: Sequence[str]) -> Mapping[str, consent.ConsentView]:
        async with self._connections.acquire() as conn:
            return await queries.consent_views(conn, list(child_ids))
