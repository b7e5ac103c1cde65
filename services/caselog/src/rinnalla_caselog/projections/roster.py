"""The roster: the case log's own copy of enrollment's facts that decide who may write about a child.

Teams with their municipality and wellbeing county, each mentor's terms in each team (from `MentorAssigned`
to `MentorLeft`), each child's team memberships (from `ChildJoinedTeam` to `ChildLeftTeam`), the end of a
child's participation (`ChildExited`, `ChildCompletedProgramme`), the child's date of birth (ages for the
assessment rules) and the child's consent register (the facts `rinnalla_consent` folds). Erasing a child
removes every row about them; erasing a mentor removes their terms.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rinnalla_events import Projection, RecordedEvent, Tables

from rinnalla_caselog.consumed import ENROLLMENT_READERS
from rinnalla_caselog.consumed import enrollment as en
from rinnalla_caselog.projections.consent_facts import child_of, consent_facts, fact_to_json, parse_birth_date

PROJECTION_NAME = "roster"
TABLES = ("teams", "mentor_terms", "memberships", "children", "consent_facts")


class RosterProjection(Projection):
    name: ClassVar[str] = PROJECTION_NAME
    version: ClassVar[int] = 1
    sources: ClassVar[tuple[str, ...]] = ("enrollment",)
    tables: ClassVar[tuple[str, ...]] = TABLES
    event_types: ClassVar[frozenset[str] | None] = frozenset(reader.event_type for reader in ENROLLMENT_READERS)

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"""CREATE TABLE {t['teams']} (
                    team_id text PRIMARY KEY, name text NOT NULL, municipality_code text NOT NULL,
                    county_code text NOT NULL)""",
            f"""CREATE TABLE {t['mentor_terms']} (
                    team_id text NOT NULL, mentor_id text NOT NULL, role text NOT NULL, starts_on date NOT NULL,
                    left_on date, PRIMARY KEY (team_id, mentor_id, starts_on))""",
            f"CREATE INDEX {t.index('terms_mentor')} ON {t['mentor_terms']} (mentor_id)",
            f"""CREATE TABLE {t['memberships']} (
                    child_id text NOT NULL, team_id text NOT NULL, joined_on date NOT NULL, left_on date,
                    PRIMARY KEY (child_id, team_id, joined_on))""",
            f"CREATE INDEX {t.index('members_team')} ON {t['memberships']} (team_id)",
            f"""CREATE TABLE {t['children']} (
                    child_id text PRIMARY KEY, born_on date, enrolled_on date, ended_on date,
                    ended_because text NOT NULL DEFAULT '')""",
            f"""CREATE TABLE {t['consent_facts']} (
                    child_id text NOT NULL, position bigint NOT NULL, ordinal integer NOT NULL, fact jsonb NOT NULL,
                    PRIMARY KEY (child_id, position, ordinal))""",
        ]

    async def apply(self, conn: Any, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        facts = consent_facts(event)
        child_id = child_of(event)
        if facts and child_id is not None:
            await conn.executemany(
                f"INSERT INTO {t['consent_facts']} VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING",
                [(child_id, recorded.envelope.position, n, fact_to_json(f)) for n, f in enumerate(facts)],
            )
        match event:
            case en.TeamFounded():
                await conn.execute(
                    f"INSERT INTO {t['teams']} VALUES ($1, $2, $3, $4) ON CONFLICT (team_id) DO UPDATE"
                    " SET name = EXCLUDED.name, municipality_code = EXCLUDED.municipality_code,"
                    " county_code = EXCLUDED.county_code",
                    event.team_id, event.name, event.municipality_code, event.county_code,
                )
            case en.MentorAssigned():
                await conn.execute(
                    f"INSERT INTO {t['mentor_terms']} VALUES ($1, $2, $3, $4, NULL) ON CONFLICT DO NOTHING",
                    event.team_id, event.mentor_id, event.role, event.starts_on,
                )
            case en.MentorLeft():
                await conn.execute(
                    f"UPDATE {t['mentor_terms']} SET left_on = $3"
                    " WHERE team_id = $1 AND mentor_id = $2 AND left_on IS NULL",
                    event.team_id, event.mentor_id, event.left_on,
                )
            case en.ChildJoinedTeam():
                await conn.execute(
                    f"INSERT INTO {t['memberships']} VALUES ($1, $2, $3, NULL) ON CONFLICT DO NOTHING",
                    event.child_id, event.team_id, event.joined_on,
                )
            case en.ChildLeftTeam():
                await conn.execute(
                    f"UPDATE {t['memberships']} SET left_on = $3"
                    " WHERE child_id = $1 AND team_id = $2 AND left_on IS NULL",
                    event.child_id, event.team_id, event.left_on,
                )
            case en.ChildEnrolled():
                await conn.execute(
                    f"INSERT INTO {t['children']} (child_id, born_on, enrolled_on) VALUES ($1, $2, $3)"
                    " ON CONFLICT (child_id) DO UPDATE SET born_on = EXCLUDED.born_on,"
                    " enrolled_on = EXCLUDED.enrolled_on",
                    event.child_id, parse_birth_date(event.date_of_birth), event.enrolled_on,
                )
            case en.ChildExited():
                await self._ended(conn, t, event.child_id, event.exited_on, f"exited: {event.reason}")
            case en.ChildCompletedProgramme():
                await self._ended(conn, t, event.child_id, event.completed_on, "completed")

    @staticmethod
    async def _ended(conn: Any, t: Tables, child_id: str, day: date, because: str) -> None:
        await conn.execute(
            f"INSERT INTO {t['children']} (child_id, ended_on, ended_because) VALUES ($1, $2, $3)"
            " ON CONFLICT (child_id) DO UPDATE SET ended_on = EXCLUDED.ended_on,"
            " ended_because = EXCLUDED.ended_because",
            child_id, day, because,
        )

    async def purge_subject(self, conn: Any, t: Tables, subject_id: str) -> None:
        """A child: their row and memberships. A mentor: their terms (the team then has no record of them)."""
        await conn.execute(f"DELETE FROM {t['children']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['memberships']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['consent_facts']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['mentor_terms']} WHERE mentor_id = $1", subject_id)
