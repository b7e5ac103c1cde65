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
from rinnalla_caselog.domain.goal import GoalReviewed, GoalSet
from rinnalla_caselog.domain.notification import ChildWelfareNotificationFiled
from rinnalla_caselog.domain.session import SessionCorrected, SessionHeld
from rinnalla_caselog.domain.worktime import TimeReported

PROJECTION_NAME = "casework"
TABLES = (
    "contacts", "contact_children", "assessments", "goals", "goal_reviews", "sessions", "attendance",
    "time_reports", "notification_markers", "erased",
)


class CaseworkProjection(Projection):
    name: ClassVar[str] = PROJECTION_NAME
    version: ClassVar[int] = 1
    sources: ClassVar[tuple[str, ...]] = ("caselog", "enrollment")
    tables: ClassVar[tuple[str, ...]] = TABLES
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        event.event_type
        for event in (
            ContactRecorded, ContactCorrected, AssessmentRecorded, AssessmentCorrected, GoalSet, GoalReviewed,
            SessionHeld, SessionCorrected, TimeReported, ChildWelfareNotificationFiled,
        )
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
            f"""CREATE TABLE {t['goals']} (
                    goal_id text PRIMARY KEY, child_id text NOT NULL, team_id text NOT NULL, area text,
                    wording text NOT NULL, set_on date NOT NULL, target_on date NOT NULL, set_by text NOT NULL,
                    status text NOT NULL, last_rating integer, last_reviewed_on date)""",
            f"CREATE INDEX {t.index('goals_child')} ON {t['goals']} (child_id)",
            f"CREATE INDEX {t.index('goals_team')} ON {t['goals']} (team_id, status)",
            f"""CREATE TABLE {t['goal_reviews']} (
                    goal_id text NOT NULL, version integer NOT NULL, child_id text NOT NULL, reviewed_on date NOT NULL,
                    rating integer NOT NULL, status text NOT NULL, note text NOT NULL, reviewed_by text NOT NULL,
                    PRIMARY KEY (goal_id, version))""",
            f"""CREATE TABLE {t['sessions']} (
                    session_id text PRIMARY KEY, team_id text NOT NULL, on_day date NOT NULL, kind text NOT NULL,
                    minutes integer NOT NULL, held_by text NOT NULL)""",
            f"CREATE INDEX {t.index('sessions_team_day')} ON {t['sessions']} (team_id, on_day)",
            f"CREATE INDEX {t.index('sessions_author_day')} ON {t['sessions']} (held_by, on_day)",
            f"""CREATE TABLE {t['attendance']} (
                    session_id text NOT NULL, child_id text NOT NULL, team_id text NOT NULL, on_day date NOT NULL,
                    present boolean NOT NULL, absence_reason text NOT NULL, PRIMARY KEY (session_id, child_id))""",
            f"CREATE INDEX {t.index('attendance_team_day')} ON {t['attendance']} (team_id, on_day)",
            f"CREATE INDEX {t.index('attendance_child')} ON {t['attendance']} (child_id)",
            f"""CREATE TABLE {t['time_reports']} (
                    mentor_id text NOT NULL, week text NOT NULL, administration_minutes integer NOT NULL,
                    PRIMARY KEY (mentor_id, week))""",
            f"""CREATE TABLE {t['notification_markers']} (
                    marker_id text PRIMARY KEY, child_id text NOT NULL, team_id text NOT NULL, filed_on date NOT NULL,
                    county_code text NOT NULL, filer_role text NOT NULL, channel text NOT NULL,
                    family_informed boolean NOT NULL, recorded_by text NOT NULL)""",
            f"CREATE INDEX {t.index('markers_author')} ON {t['notification_markers']} (recorded_by, filed_on)",
            # the ids of erased people: a rebuild may read a marker (which has no encrypted field) after the
            # erasure, and must not bring it back
            f"CREATE TABLE {t['erased']} (subject_id text PRIMARY KEY)",
        ]

    async def apply(self, conn: Any, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        if isinstance(event, AssessmentRecorded | AssessmentCorrected):
            await self._assessment(conn, t, event)
            return
        if isinstance(event, GoalSet):
            await self._goal_set(conn, t, event)
            return
        if isinstance(event, GoalReviewed):
            await self._goal_reviewed(conn, t, event, recorded.envelope.version)
            return
        if isinstance(event, SessionHeld | SessionCorrected):
            await self._session(conn, t, event)
            return
        if isinstance(event, ChildWelfareNotificationFiled):
            await conn.execute(
                f"""INSERT INTO {t['notification_markers']}
                    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
                     WHERE NOT EXISTS (SELECT 1 FROM {t['erased']} WHERE subject_id = $2)
                    ON CONFLICT (marker_id) DO NOTHING""",
                event.marker_id, event.child_id, event.team_id, event.filed_on, event.county_code,
                event.filer_role.value, event.channel.value, event.family_informed, event.recorded_by,
            )
            return
        if isinstance(event, TimeReported):
            await conn.execute(
                f"INSERT INTO {t['time_reports']} VALUES ($1, $2, $3) ON CONFLICT (mentor_id, week)"
                " DO UPDATE SET administration_minutes = EXCLUDED.administration_minutes",
                event.mentor_id, event.week, event.administration_minutes,
            )
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

    @staticmethod
    async def _goal_set(conn: Any, t: Tables, event: GoalSet) -> None:
        if event.wording == ERASED:
            return
        await conn.execute(
            f"""INSERT INTO {t['goals']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', NULL, NULL)
                ON CONFLICT (goal_id) DO NOTHING""",
            event.goal_id, event.child_id, event.team_id, event.area.value if event.area else None, event.wording,
            event.set_on, event.target_on, event.set_by,
        )

    @staticmethod
    async def _goal_reviewed(conn: Any, t: Tables, event: GoalReviewed, version: int) -> None:
        if event.note == ERASED:
            return
        await conn.execute(
            f"UPDATE {t['goals']} SET status = $2, last_rating = $3, last_reviewed_on = $4, team_id = $5"
            " WHERE goal_id = $1",
            event.goal_id, event.status.value, event.rating, event.reviewed_on, event.team_id,
        )
        await conn.execute(
            f"INSERT INTO {t['goal_reviews']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            event.goal_id, version, event.child_id, event.reviewed_on, event.rating, event.status.value, event.note,
            event.reviewed_by,
        )

    @staticmethod
    async def _session(conn: Any, t: Tables, event: SessionHeld | SessionCorrected) -> None:
        author = event.held_by if isinstance(event, SessionHeld) else None
        await conn.execute(
            f"""INSERT INTO {t['sessions']} VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (session_id) DO UPDATE SET on_day = EXCLUDED.on_day, kind = EXCLUDED.kind,
                    minutes = EXCLUDED.minutes""",
            event.session_id, event.team_id, event.on, event.kind.value, event.minutes, author or "",
        )
        await conn.execute(f"DELETE FROM {t['attendance']} WHERE session_id = $1", event.session_id)
        rows = [
            (event.session_id, entry.child_id, event.team_id, event.on, entry.present, entry.absence_reason)
            for entry in event.attendance
            if entry.absence_reason != ERASED
        ]
        if rows:
            await conn.executemany(f"INSERT INTO {t['attendance']} VALUES ($1, $2, $3, $4, $5, $6)", rows)

    async def purge_subject(self, conn: Any, t: Tables, subject_id: str) -> None:
        """A child: their notes, assessments, goals and attendance go, and a contact left with no child goes
        with them (a session stays: it was the team's). A mentor's time reports go with the mentor."""
        await conn.execute(
            f"INSERT INTO {t['erased']} VALUES ($1) ON CONFLICT DO NOTHING", subject_id
        )
        await conn.execute(f"DELETE FROM {t['notification_markers']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['assessments']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['goals']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['goal_reviews']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['attendance']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['time_reports']} WHERE mentor_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['contact_children']} WHERE child_id = $1", subject_id)
        await conn.execute(
            f"DELETE FROM {t['contacts']} c WHERE NOT EXISTS"
            f" (SELECT 1 FROM {t['contact_children']} k WHERE k.contact_id = c.contact_id)"
        )
