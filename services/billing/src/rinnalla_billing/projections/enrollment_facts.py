"""Enrollment's partnerships and teams as billing needs them: which teams a partnership has, when each was
activated and when it ended. Read from enrollment's stream; commands read it through `EnrollmentFacts`."""

from __future__ import annotations

from collections.abc import Sequence

from rinnalla_events import ConnectionSource, PgConnection, Projection, RecordedEvent, Tables

from rinnalla_billing.consumed import enrollment as en
from rinnalla_billing.domain.facts import PartnershipFacts, TeamSpan
from rinnalla_billing.projections.tables import READ_SCHEMA


class EnrollmentFactsProjection(Projection):
    name = "enrollment_facts"
    version = 1
    sources = ("enrollment",)
    tables = ("partnerships", "teams")
    event_types = frozenset(reader.event_type for reader in en.ENROLLMENT_READERS) - frozenset(
        reader.event_type for reader in en.MEMBERSHIP_READERS
    )

    def ddl(self, t: Tables) -> Sequence[str]:
        return [
            f"""CREATE TABLE {t['partnerships']} (
                partnership_id text PRIMARY KEY, municipality_code text NOT NULL DEFAULT '',
                team_count int NOT NULL DEFAULT 0, ended_on date)""",
            f"""CREATE TABLE {t['teams']} (
                team_id text PRIMARY KEY, partnership_id text, name text NOT NULL DEFAULT '',
                municipality_code text NOT NULL DEFAULT '', activated_on date, ended_on date)""",
            f"CREATE INDEX {t.index('teams_partnership')} ON {t['teams']} (partnership_id)",
        ]

    async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        partnerships, teams = t["partnerships"], t["teams"]
        match event:
            case en.PartnershipOpened():
                await conn.execute(
                    f"INSERT INTO {partnerships} (partnership_id, municipality_code) VALUES ($1, $2)"
                    " ON CONFLICT (partnership_id) DO UPDATE SET municipality_code = EXCLUDED.municipality_code",
                    event.partnership_id, event.municipality_code,
                )
            case en.PartnershipAgreementSigned():
                await conn.execute(
                    f"INSERT INTO {partnerships} (partnership_id, team_count) VALUES ($1, $2)"
                    " ON CONFLICT (partnership_id) DO UPDATE SET team_count = EXCLUDED.team_count",
                    event.partnership_id, event.team_count,
                )
            case en.PartnershipEnded():
                await conn.execute(
                    f"INSERT INTO {partnerships} (partnership_id, ended_on) VALUES ($1, $2)"
                    " ON CONFLICT (partnership_id) DO UPDATE SET ended_on = EXCLUDED.ended_on",
                    event.partnership_id, event.ended_on,
                )
            case en.TeamFounded():
                await conn.execute(
                    f"INSERT INTO {teams} (team_id, partnership_id, name, municipality_code) VALUES ($1, $2, $3, $4)"
                    " ON CONFLICT (team_id) DO UPDATE SET name = EXCLUDED.name,"
                    " municipality_code = EXCLUDED.municipality_code,"
                    f" partnership_id = coalesce(EXCLUDED.partnership_id, {teams}.partnership_id)",
                    event.team_id, event.partnership_id, event.name, event.municipality_code,
                )
            case en.TeamAddedToPartnership():
                await conn.execute(
                    f"INSERT INTO {teams} (team_id, partnership_id) VALUES ($1, $2)"
                    " ON CONFLICT (team_id) DO UPDATE SET partnership_id = EXCLUDED.partnership_id",
                    event.team_id, event.partnership_id,
                )
            case en.TeamActivated():
                await conn.execute(
                    f"INSERT INTO {teams} (team_id, activated_on) VALUES ($1, $2)"
                    " ON CONFLICT (team_id) DO UPDATE SET activated_on = EXCLUDED.activated_on",
                    event.team_id, event.activated_on,
                )
            case en.TeamTerminated() | en.TeamCompleted():
                ended = event.terminated_on if isinstance(event, en.TeamTerminated) else event.completed_on
                await conn.execute(
                    f"INSERT INTO {teams} (team_id, ended_on) VALUES ($1, $2)"
                    " ON CONFLICT (team_id) DO UPDATE SET ended_on = EXCLUDED.ended_on",
                    event.team_id, ended,
                )

    async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
        """Nothing to purge: these tables hold organisations and teams, no person."""


class ReadModelEnrollmentFacts:
    """`EnrollmentFacts` from the projection's stable views (as fresh as the worker has applied)."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    async def partnership(self, partnership_id: str) -> PartnershipFacts | None:
        async with self._connections.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT municipality_code, team_count, ended_on FROM {READ_SCHEMA}.partnerships"
                " WHERE partnership_id = $1",
                partnership_id,
            )
            if row is None:
                return None
            teams = await conn.fetch(
                f"SELECT team_id, name, activated_on, ended_on FROM {READ_SCHEMA}.teams"
                " WHERE partnership_id = $1 ORDER BY team_id",
                partnership_id,
            )
        return PartnershipFacts(
            partnership_id=partnership_id, municipality_code=row["municipality_code"], team_count=row["team_count"],
            teams=tuple(
                TeamSpan(r["team_id"], r["name"] or r["team_id"], r["activated_on"], r["ended_on"]) for r in teams
            ),
            ended_on=row["ended_on"],
        )
