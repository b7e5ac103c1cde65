"""A sample projection over `sample_events`, for the library's own tests and benchmarks (not for services).

`stream_counts` counts events per event stream with a non-idempotent increment, so any event applied twice
or lost shows up as a wrong number. `children` keeps each registered child's name and their guardians'
names: personal data of two kinds of subject, both purged on erasure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rinnalla_events._codec import RecordedEvent
from rinnalla_events._connections import PgConnection
from rinnalla_events._erasure import SubjectErased
from rinnalla_events._projection import Projection, Tables
from rinnalla_events.sample_events import ChildRegistered, Counted


class ChildDirectory(Projection):
    name: ClassVar[str] = "child_directory"
    version: ClassVar[int] = 1
    sources: ClassVar[tuple[str, ...]] = ("svc",)
    tables: ClassVar[tuple[str, ...]] = ("children", "stream_counts")

    def ddl(self, tables: Tables) -> Sequence[str]:
        return [
            f"""
            CREATE TABLE {tables["children"]} (
                child_id  text PRIMARY KEY,
                name      text NOT NULL,
                school    text NOT NULL,
                guardians jsonb NOT NULL DEFAULT '{{}}'
            )
            """,
            f"CREATE INDEX {tables.index('children_school')} ON {tables['children']} (school)",
            f"""
            CREATE TABLE {tables["stream_counts"]} (
                stream_type text NOT NULL,
                stream_id   text NOT NULL,
                events      integer NOT NULL,
                total       bigint NOT NULL,
                PRIMARY KEY (stream_type, stream_id)
            )
            """,
        ]

    async def apply(self, conn: PgConnection, tables: Tables, recorded: RecordedEvent) -> None:
        envelope, event = recorded.envelope, recorded.event
        await conn.execute(
            f"INSERT INTO {tables['stream_counts']} AS c VALUES ($1, $2, 1, $3)"
            " ON CONFLICT (stream_type, stream_id)"
            " DO UPDATE SET events = c.events + 1, total = c.total + EXCLUDED.total",
            envelope.stream_type,
            envelope.stream_id,
            event.n if isinstance(event, Counted) else 0,
        )
        if isinstance(event, ChildRegistered):
            guardians = {g.guardian_id: g.name for g in event.guardians}
            await conn.execute(
                f"INSERT INTO {tables['children']} AS c VALUES ($1, $2, $3, $4::jsonb)"
                " ON CONFLICT (child_id) DO UPDATE SET name = EXCLUDED.name, school = EXCLUDED.school,"
                " guardians = EXCLUDED.guardians",
                event.child_id,
                event.name,
                event.school,
                json.dumps(guardians),
            )

    async def purge_subject(self, conn: PgConnection, tables: Tables, subject_id: str) -> None:
        await conn.execute(f"DELETE FROM {tables['children']} WHERE child_id = $1", subject_id)
        await conn.execute(
            f"UPDATE {tables['children']} SET guardians = guardians - $1 WHERE guardians ? $1", subject_id
        )
        await conn.execute(f"DELETE FROM {tables['stream_counts']} WHERE stream_id = $1", subject_id)


class BatchedChildDirectory(ChildDirectory):
    """The same read model, written once per table per batch: what a projection does to keep up."""

    async def apply_batch(self, conn: PgConnection, tables: Tables, batch: Sequence[RecordedEvent]) -> None:
        # One statement per table per batch: counts are summed per stream, a child's last row wins.
        counts: dict[tuple[str, str], list[int]] = {}
        children: dict[str, tuple[str, str, str]] = {}
        for recorded in batch:
            envelope, event = recorded.envelope, recorded.event
            entry = counts.setdefault((envelope.stream_type, envelope.stream_id), [0, 0])
            entry[0] += 1
            entry[1] += event.n if isinstance(event, Counted) else 0
            if isinstance(event, ChildRegistered):
                guardians = json.dumps({g.guardian_id: g.name for g in event.guardians})
                children[event.child_id] = (event.name, event.school, guardians)
        if counts:
            keys = list(counts)
            await conn.execute(
                f"INSERT INTO {tables['stream_counts']} AS c"
                " SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[])"
                " ON CONFLICT (stream_type, stream_id)"
                " DO UPDATE SET events = c.events + EXCLUDED.events, total = c.total + EXCLUDED.total",
                [k[0] for k in keys],
                [k[1] for k in keys],
                [counts[k][0] for k in keys],
                [counts[k][1] for k in keys],
            )
        if children:
            await conn.executemany(
                f"INSERT INTO {tables['children']} AS c VALUES ($1, $2, $3, $4::jsonb)"
                " ON CONFLICT (child_id) DO UPDATE SET name = EXCLUDED.name, school = EXCLUDED.school,"
                " guardians = EXCLUDED.guardians",
                [(child_id, *row) for child_id, row in children.items()],
            )


@dataclass
class DirectoryState:
    """What `ChildDirectory`'s tables hold, as plain values: tests compare a read model with `fold`."""

    children: dict[str, tuple[str, str, dict[str, str]]] = field(default_factory=dict)
    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


def fold(history: Iterable[RecordedEvent]) -> DirectoryState:
    """The reference model: the state `ChildDirectory` must reach after `history`, computed in memory."""
    state = DirectoryState()
    for recorded in history:
        event = recorded.event
        if isinstance(event, SubjectErased):
            subject = event.subject_id
            state.children.pop(subject, None)
            for _name, _school, guardians in state.children.values():
                guardians.pop(subject, None)
            state.counts = {k: v for k, v in state.counts.items() if k[1] != subject}
            continue
        key = (recorded.envelope.stream_type, recorded.envelope.stream_id)
        events, total = state.counts.get(key, (0, 0))
        state.counts[key] = (events + 1, total + (event.n if isinstance(event, Counted) else 0))
        if isinstance(event, ChildRegistered):
            guardian_names = {g.guardian_id: g.name for g in event.guardians}
            state.children[event.child_id] = (event.name, event.school, guardian_names)
    return state


async def read_state(conn: PgConnection, children: str, stream_counts: str) -> DirectoryState:
    """The state held by two relations (the views, or one generation's tables)."""
    state = DirectoryState()
    for row in await conn.fetch(f"SELECT child_id, name, school, guardians::text AS guardians FROM {children}"):
        state.children[row["child_id"]] = (row["name"], row["school"], json.loads(row["guardians"]))
    for row in await conn.fetch(f"SELECT stream_type, stream_id, events, total FROM {stream_counts}"):
        state.counts[(row["stream_type"], row["stream_id"])] = (row["events"], row["total"])
    return state
