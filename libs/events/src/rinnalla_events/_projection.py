"""Read models built from the event log: what a service writes to describe one projection.

A projection reads the JetStream streams of one or more publishing services and upserts rows into its
own tables. The framework (subscriber, rebuild) owns the transaction, the checkpoint and the dedup; the
projection only says which tables it has and how one event changes them.

Tables exist per *generation*: a rebuild builds generation N+1 beside N, so every physical table name
carries the generation (`<schema>.<projection>__g<N>__<table>`). Readers never see those names: they
read the stable view `<read_schema>.<table>`, which points at the active generation.

Example (a service's `projections/child_directory.py`)::

    class ChildDirectory(Projection):
        name = "child_directory"
        version = 1
        sources = ("enrollment",)
        tables = ("children",)

        def ddl(self, t: Tables) -> list[str]:
            return [f"CREATE TABLE {t['children']} (child_id text PRIMARY KEY, name text NOT NULL)"]

        async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
            if isinstance(recorded.event, ChildEnrolled):
                await conn.execute(
                    f"INSERT INTO {t['children']} VALUES ($1, $2)"
                    " ON CONFLICT (child_id) DO UPDATE SET name = EXCLUDED.name",
                    recorded.event.child_id, recorded.event.name,
                )

        async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
            await conn.execute(f"DELETE FROM {t['children']} WHERE child_id = $1", subject_id)
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rinnalla_events._codec import RecordedEvent
from rinnalla_events._connections import PgConnection
from rinnalla_events._ddl import check_schema_name

# No double underscore inside a name: `__` separates projection, generation and table in physical names.
_NAME = re.compile(r"^[a-z](?:_?[a-z0-9])*$")
_SERVICE = re.compile(r"^[a-z][a-z0-9_-]*$")
MAX_PROJECTION_NAME = 30
MAX_TABLE_NAME = 24
_MAX_IDENTIFIER = 63  # PostgreSQL truncates longer identifiers silently; we refuse them instead


def _check_name(kind: str, value: str, limit: int) -> str:
    if not _NAME.match(value) or len(value) > limit:
        raise ValueError(
            f"invalid {kind} {value!r}: lower-case letters, digits and single underscores, at most {limit} characters"
        )
    return value


@dataclass(frozen=True)
class Tables:
    """The physical names of one generation of a projection's tables.

    `tables["children"]` is the schema-qualified table to write; `tables.index("children_school")` is a
    unique (unqualified) name for an index or constraint of this generation.
    """

    schema: str
    projection: str
    generation: int
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        check_schema_name(self.schema)
        if self.generation < 1:
            raise ValueError("generations count from 1")
        for name in self.names:
            self.physical(name)

    def _identifier(self, suffix: str) -> str:
        identifier = f"{self.projection}__g{self.generation}__{suffix}"
        if len(identifier) > _MAX_IDENTIFIER:
            raise ValueError(f"identifier {identifier!r} is longer than {_MAX_IDENTIFIER} characters")
        return identifier

    def physical(self, table: str) -> str:
        """The unqualified physical name of a logical table."""
        if table not in self.names:
            raise KeyError(f"projection {self.projection} has no table {table!r} (it has {', '.join(self.names)})")
        return self._identifier(table)

    def __getitem__(self, table: str) -> str:
        return f"{self.schema}.{self.physical(table)}"

    def index(self, name: str) -> str:
        """A name for an index or constraint, unique to this generation."""
        # `_i_` after `__` cannot clash with a table's name (those start with a letter) nor with `_seen`.
        return self._identifier("_i_" + _check_name("index name", name, MAX_TABLE_NAME))

    @property
    def seen(self) -> str:
        """The framework's own table: the last version applied per event stream (duplicate guard)."""
        # A leading underscore after `__` cannot clash with a logical table name (those start with a letter).
        return f"{self.schema}.{self._identifier('_seen')}"

    @property
    def all_physical(self) -> list[str]:
        return [self[name] for name in self.names] + [self.seen]


class Projection(ABC):
    """One read model. Subclasses set the class attributes and implement the three methods.

    - `name`: stable identifier (also the durable consumer's name and the checkpoint's key).
    - `version`: bump it when `ddl` or `apply` changes meaning; the runner then rebuilds blue/green.
    - `sources`: names of the publishing services whose JetStream streams this projection reads.
    - `tables`: logical table names; each becomes a view `<read_schema>.<table>` for readers.
    - `event_types`: the event types to apply; None means every type the codec's registry knows.
      Other events are skipped without decoding. `rinnalla.SubjectErased` always reaches `purge_subject`.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    sources: ClassVar[tuple[str, ...]]
    tables: ClassVar[tuple[str, ...]]
    event_types: ClassVar[frozenset[str] | None] = None

    @abstractmethod
    def ddl(self, tables: Tables) -> Sequence[str]:
        """CREATE statements for one generation of the tables, using the names in `tables`."""

    @abstractmethod
    async def apply(self, conn: PgConnection, tables: Tables, recorded: RecordedEvent) -> None:
        """Upsert the rows this event changes. `conn` is an asyncpg connection inside the framework's
        transaction: do not commit, do not open connections of your own. Raising parks the event."""

    async def apply_batch(self, conn: PgConnection, tables: Tables, batch: Sequence[RecordedEvent]) -> None:
        """Apply consecutive events in stream order (catch-up and rebuild hand over whole batches).

        The default applies them one by one. A projection that must keep up with a long log overrides it
        to write each table once per batch (`executemany`, `unnest`): one round trip per event is what
        bounds catch-up speed otherwise. Raising makes the framework retry the batch event by event, so
        the one poison event is parked and the others are applied.
        """
        for recorded in batch:
            await self.apply(conn, tables, recorded)

    @abstractmethod
    async def purge_subject(self, conn: PgConnection, tables: Tables, subject_id: str) -> None:
        """Delete every row derived from this person's data (called when they are erased).

        A projection that holds nothing about people still implements it (with `pass`), so the question
        "what does this read model keep about an erased person?" is answered in code, once per projection.
        """

    def tables_for(self, schema: str, generation: int) -> Tables:
        return Tables(schema, self.name, generation, self.tables)

    def wants(self, event_type: str, registry_knows: bool) -> bool:
        if self.event_types is None:
            return registry_knows
        return event_type in self.event_types


def check_projection(projection: Projection) -> Projection:
    """Refuse a projection whose names would not make safe identifiers, with the reason."""
    cls = type(projection)
    for attribute in ("name", "version", "sources", "tables"):
        if not hasattr(projection, attribute):
            raise TypeError(f"{cls.__name__} does not set {attribute}")
    _check_name("projection name", projection.name, MAX_PROJECTION_NAME)
    if not isinstance(projection.version, int) or projection.version < 1:
        raise ValueError(f"{cls.__name__}.version must be a positive int")
    if not projection.sources:
        raise ValueError(f"{cls.__name__}.sources is empty: name the services whose events it reads")
    for source in projection.sources:
        if not _SERVICE.match(source):
            raise ValueError(f"{cls.__name__}.sources: invalid service name {source!r}")
    if not projection.tables:
        raise ValueError(f"{cls.__name__}.tables is empty")
    if len(set(projection.tables)) != len(projection.tables):
        raise ValueError(f"{cls.__name__}.tables names a table twice")
    for table in projection.tables:
        _check_name("table name", table, MAX_TABLE_NAME)
    return projection
