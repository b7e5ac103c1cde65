"""The case log's own records as read models: contacts (the latest version of each, with every child's note)
and assessments (the latest version of each, its scales' scores; the item answers stay in the log).

Reads the case log's stream, and enrollment's for `rinnalla.SubjectErased` (a person is erased in
enrollment's log): an erased child's rows go, and a rebuild does not bring them back, because the child's
note reads as erased once the key is gone and such a child is skipped.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rinnalla_events import ERASED, Projection, RecordedEvent, Tables

from rinnalla_caselog.domain.assessment import AssessmentCorrected, AssessmentRecorded, decode_scores
from rinnalla_caselog.domain.contact import ContactCorrected, ContactRecorded

PROJECTION_NAME = "casework"
TABLES = ("contacts", "contact_children", "assessments")


class CaseworkProjection(Projection):
    name: ClassVar[str] = PROJECTION_NAME
    version: ClassVar[int] = 1
    sources: ClassVar[tuple[str, ...]] = ("caselog", "enrollment")
    tables: ClassVar[tuple[str, ...]] = TABLES
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        {ContactRecorded.event_type, ContactCorrected.event_type, AssessmentRecorded.event_type,
         AssessmentCorrected.event_type}
    )

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"""CREATE TABLE {t['contacts']} (
                    contact_id text PRIMARY KEY, team_id text NOT NULL, on_day date NOT NULL,
                    minutes integer NOT NULL, setting text NOT NULL, work_area text NOT NULL,
                    participants text[] NOT NULL, recorded_by text NOT NULL, version integer NOT NULL,
                    recorded_at timestamptz NOT NULL)""",
            f"CREATE INDEX {t.index('contacts_team_day')} ON {t['contacts']} (team_id, on_day)",
            f"CREATE INDEX {t.index('contacts_author_day')} ON {t['contacts']} (recorded_by, on_day)",
            f"""CREATE TABLE {t['contact_children']} (
                    contact_id text NOT NULL, child_id text NOT NULL, on_day date NOT NULL, note text NOT NULL,
                    outcome_areas text[] NOT NULL, PRIMARY KEY (contact_id, child_id))""",
            f"CREATE INDEX {t.index('contact_children_child')} ON {t['contact_children']} (child_id, on_day)",
            f"""CREATE TABLE {t['assessments']} (
                    assessment_id text PRIMARY KEY, child_id text NOT NULL, team_id text NOT NULL,
                    instrument text NOT NULL, version integer NOT NULL, informant text NOT NULL, wave text NOT NULL,
                    wave_year integer, on_day date NOT NULL, recorded_for text NOT NULL, scores jsonb NOT NULL,
                    recorded_by text NOT NULL, corrected boolean NOT NULL)""",
            f"CREATE INDEX {t.index('assessments_child')} ON {t['assessments']} (child_id)",
            f"CREATE INDEX {t.index('assessments_team')} ON {t['assessments']} (team_id, instrument, wave)",
        ]

    async def apply(self, conn: Any, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        if isinstance(event, AssessmentRecorded | AssessmentCorrected):
            await self._assessment(conn, t, event)
            return
        if not isinstance(event, ContactRecorded | ContactCorrected):
            return
        author = event.recorded_by if isinstance(event, ContactRecorded) else None
        version = recorded.envelope.version
        await conn.execute(
            f"""INSERT INTO {t['contacts']} VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10)
                ON CONFLICT (contact_id) DO UPDATE SET team_id = EXCLUDED.team_id, on_day = EXCLUDED.on_day,
                    minutes = EXCLUDED.minutes, setting = EXCLUDED.setting, work_area = EXCLUDED.work_area,
                    participants = EXCLUDED.participants, version = EXCLUDED.version,
                    recorded_at = EXCLUDED.recorded_at""",
            event.contact_id, event.team_id, event.on, event.minutes, event.setting.value,
            event.setting.work_area.value, [p.value for p in event.participants], author or "", version, event.at,
        )
        await conn.execute(f"DELETE FROM {t['contact_children']} WHERE contact_id = $1", event.contact_id)
        rows = [
            (event.contact_id, child.child_id, event.on, child.note, [a.value for a in child.outcome_areas])
            for child in event.children
            if child.note != ERASED
        ]
        if rows:
            await conn.executemany(
                f"INSERT INTO {t['contact_children']} VALUES ($1, $2, $3, $4, $5::text[])", rows
            )
        else:
            await conn.execute(f"DELETE FROM {t['contacts']} WHERE contact_id = $1", event.contact_id)

    @staticmethod
    async def _assessment(conn: Any, t: Tables, event: AssessmentRecorded | AssessmentCorrected) -> None:
        scores = decode_scores(event.scores)
        if scores is None:  # the child was erased: nothing of theirs comes back on a rebuild
            await conn.execute(f"DELETE FROM {t['assessments']} WHERE assessment_id = $1", event.assessment_id)
            return
        author = event.recorded_by if isinstance(event, AssessmentRecorded) else event.corrected_by
        await conn.execute(
            f"""INSERT INTO {t['assessments']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
                ON CONFLICT (assessment_id) DO UPDATE SET team_id = EXCLUDED.team_id,
                    instrument = EXCLUDED.instrument, version = EXCLUDED.version, on_day = EXCLUDED.on_day,
                    recorded_for = EXCLUDED.recorded_for, scores = EXCLUDED.scores,
                    recorded_by = EXCLUDED.recorded_by, corrected = EXCLUDED.corrected""",
            event.assessment_id, event.child_id, event.team_id, event.instrument, event.version,
            event.informant.value, event.wave.value, event.wave_year, event.on, event.recorded_for.value,
            json.dumps(scores, sort_keys=True), author, isinstance(event, AssessmentCorrected),
        )

    async def purge_subject(self, conn: Any, t: Tables, subject_id: str) -> None:
        """A child: their notes and assessments go, and a contact left with no child goes with them."""
        await conn.execute(f"DELETE FROM {t['assessments']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['contact_children']} WHERE child_id = $1", subject_id)
        await conn.execute(
            f"DELETE FROM {t['contacts']} c WHERE NOT EXISTS"
            f" (SELECT 1 FROM {t['contact_children']} k WHERE k.contact_id = c.contact_id)"
        )
