"""Network's own projection of enrollment: the enrolled children with their guardians' contacts, the teams'
mentors, and every consent fact of each child's stream (the consent register the referral decisions fold).

Built from network's tolerant readers of enrollment's events (`consumed/enrollment.py`); it never imports
enrollment. The consent facts are kept in the order enrollment recorded them (the child stream's version),
so folding them gives the register as enrollment's log has it, at any moment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rinnalla_events import PgConnection, Projection, RecordedEvent, Tables

from rinnalla_network.application.consent_facts import consent_facts
from rinnalla_network.config import ENROLLMENT
from rinnalla_network.consumed import enrollment as en


class EnrollmentMirror(Projection):
    name = "enrollment_mirror"
    version = 1
    sources = (ENROLLMENT,)
    tables = ("children", "consent_facts", "team_mentors")
    event_types = frozenset(reader.event_type for reader in en.ENROLLMENT_READERS)

    def ddl(self, t: Tables) -> Sequence[str]:
        return [
            f"""CREATE TABLE {t['children']} (
                child_id text PRIMARY KEY,
                municipality_code text NOT NULL DEFAULT '',
                team_id text NOT NULL DEFAULT '',
                given_names text NOT NULL DEFAULT '',
                family_name text NOT NULL DEFAULT '',
                date_of_birth text NOT NULL DEFAULT '',
                hetu text NOT NULL DEFAULT '',
                guardians jsonb NOT NULL DEFAULT '[]',
                enrolled boolean NOT NULL DEFAULT false,
                exited boolean NOT NULL DEFAULT false
            )""",
            f"""CREATE TABLE {t['consent_facts']} (
                child_id text NOT NULL,
                version bigint NOT NULL,
                idx integer NOT NULL,
                kind text NOT NULL,
                fact jsonb NOT NULL,
                PRIMARY KEY (child_id, version, idx)
            )""",
            f"""CREATE TABLE {t['team_mentors']} (
                team_id text NOT NULL,
                mentor_id text NOT NULL,
                starts_on date NOT NULL,
                left_on date,
                PRIMARY KEY (team_id, mentor_id)
            )""",
        ]

    async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        envelope = recorded.envelope
        facts = consent_facts(event)
        if facts:
            await conn.executemany(
                f"INSERT INTO {t['consent_facts']} (child_id, version, idx, kind, fact) VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT DO NOTHING",
                [
                    (envelope.stream_id, envelope.version, index, type(fact).__name__, fact.model_dump_json())
                    for index, fact in enumerate(facts)
                ],
            )
        match event:
            case en.ChildEnrolled():
                await conn.execute(
                    f"""INSERT INTO {t['children']} (child_id, municipality_code, team_id, given_names, family_name,
                        date_of_birth, hetu, guardians, enrolled)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
                    ON CONFLICT (child_id) DO UPDATE SET municipality_code = EXCLUDED.municipality_code,
                        team_id = EXCLUDED.team_id, given_names = EXCLUDED.given_names,
                        family_name = EXCLUDED.family_name, date_of_birth = EXCLUDED.date_of_birth,
                        hetu = EXCLUDED.hetu, guardians = EXCLUDED.guardians, enrolled = true, exited = false""",
                    event.child_id, envelope.tenant or "", event.team_id, event.given_names, event.family_name,
                    event.date_of_birth, event.hetu, _guardians(event.guardians),
                )
            case en.GuardiansChanged():
                await conn.execute(
                    f"UPDATE {t['children']} SET guardians = $2 WHERE child_id = $1",
                    event.child_id, _guardians(event.guardians),
                )
            case en.ChildExited():
                await conn.execute(f"UPDATE {t['children']} SET exited = true WHERE child_id = $1", event.child_id)
            case en.MentorAssigned():
                await conn.execute(
                    f"INSERT INTO {t['team_mentors']} (team_id, mentor_id, starts_on) VALUES ($1, $2, $3)"
                    " ON CONFLICT (team_id, mentor_id) DO UPDATE SET starts_on = EXCLUDED.starts_on, left_on = NULL",
                    event.team_id, event.mentor_id, event.starts_on,
                )
            case en.MentorLeft():
                await conn.execute(
                    f"UPDATE {t['team_mentors']} SET left_on = $3 WHERE team_id = $1 AND mentor_id = $2",
                    event.team_id, event.mentor_id, event.left_on,
                )
            case _:
                pass

    async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
        """An erased child leaves no row; an erased guardian leaves the children's guardian lists (the
        consent facts keep ids only, no personal data)."""
        await conn.execute(f"DELETE FROM {t['children']} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {t['consent_facts']} WHERE child_id = $1", subject_id)
        await conn.execute(
            f"""UPDATE {t['children']} SET guardians = (
                    SELECT coalesce(jsonb_agg(g), '[]') FROM jsonb_array_elements(guardians) g
                    WHERE g->>'guardian_id' <> $1)
                WHERE guardians @> jsonb_build_array(jsonb_build_object('guardian_id', $1::text))""",
            subject_id,
        )


def _guardians(guardians: tuple[en.Guardian, ...]) -> str:
    return json.dumps([
        {"guardian_id": g.guardian_id, "name": f"{g.given_names} {g.family_name}", "phone": g.phone, "email": g.email}
        for g in guardians
    ])
