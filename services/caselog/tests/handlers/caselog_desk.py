"""The application's handlers on an in-memory event store and an in-memory roster, called the way the HTTP
adapter calls them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from caselog_builders import TEAMS, child
from pydantic import BaseModel
from rinnalla_caselog.bootstrap import event_registry
from rinnalla_caselog.domain.roster import Author, ChildFacts, TeamFacts
from rinnalla_events import (
    CommandWriter,
    Cursor,
    EventCodec,
    EventMetadata,
    Idempotency,
    InMemoryEventStore,
    InMemoryKeyStore,
    Outcome,
    RecordedEvent,
    fingerprint,
)

Handler = Callable[[CommandWriter, Any, Author, Any], Awaitable[Outcome]]


@dataclass
class MemoryRoster:
    """The roster port in memory: team A's children 1-3 and team B's child 4."""

    known_children: dict[str, ChildFacts] = field(default_factory=dict)
    known_teams: dict[str, TeamFacts] = field(default_factory=lambda: dict(TEAMS))

    async def children(self, child_ids: Iterable[str]) -> Mapping[str, ChildFacts]:
        return {i: self.known_children[i] for i in child_ids if i in self.known_children}

    async def teams(self, team_ids: Iterable[str]) -> Mapping[str, TeamFacts]:
        return {i: self.known_teams[i] for i in team_ids if i in self.known_teams}


def standard_roster() -> MemoryRoster:
    roster = MemoryRoster()
    for n in (1, 2, 3):
        roster.known_children[f"child-092-000{n}"] = child(f"child-092-000{n}")
    roster.known_children["child-092-0004"] = child("child-092-0004", team="team-092-b")
    return roster


@dataclass
class Desk:
    store: InMemoryEventStore
    roster: MemoryRoster

    @classmethod
    def empty(cls) -> Desk:
        return cls(InMemoryEventStore(EventCodec(event_registry(), InMemoryKeyStore())), standard_roster())

    async def send(self, handler: Handler, author: Author, command: BaseModel, *, key: str | None = None) -> Outcome:
        """As the HTTP adapter: a retry is answered with the first outcome before anything is decided."""
        idempotency = None
        if key is not None:
            idempotency = Idempotency(
                f"{author.person_id}:{key}", fingerprint(command.model_dump(mode="json", exclude={"at"}))
            )
        writer = CommandWriter(self.store, EventMetadata(actor=author.person_id), idempotency)
        return await writer.previous() or await handler(writer, self.roster, author, command)

    async def recorded(self) -> list[RecordedEvent]:
        return [await self.store.codec.decode(s.envelope) for s in await self.store.read_all(Cursor())]

    async def payloads(self) -> list[dict[str, Any]]:
        """The stored payloads (personal fields as ciphertext)."""
        return [s.envelope.payload for s in await self.store.read_all(Cursor())]

    async def tenants(self) -> list[str | None]:
        return [s.envelope.tenant for s in await self.store.read_all(Cursor())]
