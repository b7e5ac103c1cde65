"""How many children each team has, day by day, from enrollment's children's events, without any child's
id: one row per event that changes a team's headcount (+1 when a child joins, -1 from the day the child
leaves; a transfer is both), keyed by the event's id so a redelivery counts once.

A team's headcount on a day is the sum of its changes up to that day; its child-days over a span are
sum(change x days from the change (or the span's start) to the span's end), and child-years are
child-days / 365.25. `v_cost_per_child_year` (tables.py) divides what each payer was invoiced for a team
by the team's child-years over the same periods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rinnalla_events import PgConnection, Projection, RecordedEvent, Tables

from rinnalla_billing.consumed import enrollment as en


class HeadcountProjection(Projection):
    name = "team_headcount"
    version = 1
    sources = ("enrollment",)
    tables = ("headcount_changes",)
    event_types = frozenset(reader.event_type for reader in en.MEMBERSHIP_READERS)

    def ddl(self, t: Tables) -> Sequence[str]:
        return [
            f"""CREATE TABLE {t['headcount_changes']} (
                event_id uuid NOT NULL, team_id text NOT NULL, on_day date NOT NULL, delta int NOT NULL,
                PRIMARY KEY (event_id, team_id))""",
            f"CREATE INDEX {t.index('headcount_team')} ON {t['headcount_changes']} (team_id, on_day)",
        ]

    async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        changes: list[tuple[str, date, int]]
        match event:
            case en.ChildEnrolled():
                changes = [(event.team_id, event.enrolled_on, 1)]
            case en.ChildExited():
                changes = [(event.team_id, event.exited_on, -1)]
            case en.ChildCompletedProgramme():
                changes = [(event.team_id, event.completed_on, -1)]
            case en.ChildTransferred():
                changes = [(event.from_team_id, event.transferred_on, -1), (event.to_team_id, event.transferred_on, 1)]
            case _:
                return
        for team_id, day, delta in changes:
            await conn.execute(
                f"INSERT INTO {t['headcount_changes']} VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                recorded.envelope.event_id, team_id, day, delta,
            )

    async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
        """Nothing to purge: the rows hold teams, days and counts, no child's id."""
