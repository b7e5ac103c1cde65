"""The application's handlers on an in-memory event store, called the way the HTTP adapter calls them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_enrollment.bootstrap import event_registry
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.errors import NotFound
from rinnalla_events import (
    Cursor,
    EventCodec,
    EventMetadata,
    Idempotency,
    InMemoryEventStore,
    InMemoryKeyStore,
    Outcome,
    fingerprint,
)

Handler = Callable[[EnrollmentWriter, Any, Any], Awaitable[Outcome]]


class StaffOf:
    """A fake guard: the caller works for one municipality and may see every record of it."""

    def __init__(self, municipality_code: str) -> None:
        self.municipality_code = municipality_code

    def tenant(self, municipality_code: str) -> None:
        if municipality_code != self.municipality_code:
            raise NotFound("", "no such record")  # as the real guard: refused looks like missing

    def team(self, municipality_code: str, team_id: str) -> None:
        self.tenant(municipality_code)

    def child(self, municipality_code: str, child_id: str, team_id: str | None) -> None:
        self.tenant(municipality_code)


VANTAA_STAFF = StaffOf("092")


class WaitsAtCommit(EnrollmentWriter):
    """Holds the commit until every writer of the race has decided: a deterministic race."""

    barrier: asyncio.Barrier

    async def commit(self, changes: Any, result: dict[str, Any], *, tenant: str | None = None) -> Outcome:
        await self.barrier.wait()
        return await super().commit(changes, result, tenant=tenant)


class InMemoryIdentityIndex:
    """The identity index's lookup table in memory (lookup key -> random stream id)."""

    def __init__(self) -> None:
        self.streams: dict[str, str] = {}

    async def stream_of(self, lookup_key: str) -> str:
        return self.streams.setdefault(lookup_key, str(uuid.uuid4()))

    async def forget(self, stream_ids: Collection[str]) -> int:
        gone = [k for k, v in self.streams.items() if v in stream_ids]
        for k in gone:
            del self.streams[k]
        return len(gone)

    async def claimed_by(self, child_id: str) -> list[str]:
        raise NotImplementedError("the handlers never ask it")


@dataclass
class Desk:
    store: InMemoryEventStore
    identity_keys: IdentityKeys
    identity_index: InMemoryIdentityIndex = field(default_factory=InMemoryIdentityIndex)

    @classmethod
    def empty(cls, master_key: bytes) -> Desk:
        return cls(InMemoryEventStore(EventCodec(event_registry(), InMemoryKeyStore())), IdentityKeys(master_key))

    def writer(self, command: c.Command, key: str | None = None) -> EnrollmentWriter:
        return EnrollmentWriter(self.store, EventMetadata(actor="coordinator"), _idempotency(command, key),
                                identity_keys=self.identity_keys, identity_index=self.identity_index)

    async def send(
        self, handler: Handler, command: c.Command, *, key: str | None = None, guard: StaffOf = VANTAA_STAFF
    ) -> Outcome:
        """As the HTTP adapter: a retry is answered with the first outcome before anything is decided."""
        writer = self.writer(command, key)
        return await writer.previous() or await handler(writer, guard, command)

    async def race(self, handler: Handler, *commands: c.Command) -> list[Outcome | BaseException]:
        """Every command loads and decides before any of them commits."""
        barrier = asyncio.Barrier(len(commands))

        def waiting_writer() -> WaitsAtCommit:
            writer = WaitsAtCommit(
                self.store, EventMetadata(actor="coordinator"), identity_keys=self.identity_keys,
                identity_index=self.identity_index,
            )
            writer.barrier = barrier
            return writer

        return await asyncio.gather(
            *(handler(waiting_writer(), VANTAA_STAFF, command) for command in commands), return_exceptions=True
        )

    async def recorded(self) -> list[str]:
        """The event types in the log, in order."""
        return [stored.envelope.event_type for stored in await self.store.read_all(Cursor())]


def _idempotency(command: c.Command, key: str | None) -> Idempotency | None:
    if key is None:
        return None
    return Idempotency(f"coordinator:{key}", fingerprint(command.model_dump(mode="json", exclude={"at"})))
