"""The application's handlers on an in-memory event store, called the way the HTTP adapter calls them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rinnalla_billing.application import handlers as h
from rinnalla_billing.bootstrap import event_registry
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain.errors import NotFound
from rinnalla_billing.domain.facts import PartnershipFacts
from rinnalla_events import (
    CommandWriter,
    Cursor,
    EventCodec,
    EventMetadata,
    Idempotency,
    InMemoryEventStore,
    InMemoryKeyStore,
    Outcome,
    fingerprint,
)

Handler = Callable[..., Awaitable[Outcome]]


class StaffOf:
    """A fake guard: the caller serves one municipality."""

    def __init__(self, municipality_code: str) -> None:
        self.municipality_code = municipality_code

    def tenant(self, municipality_code: str) -> None:
        if municipality_code != self.municipality_code:
            raise NotFound("", "no such record")


VANTAA = StaffOf("092")


@dataclass
class KnownFacts:
    """`EnrollmentFacts` in memory."""

    partnerships: dict[str, PartnershipFacts] = field(default_factory=dict)

    async def partnership(self, partnership_id: str) -> PartnershipFacts | None:
        return self.partnerships.get(partnership_id)


class WaitsAtCommit(CommandWriter):
    """Holds the commit until every writer of the race has decided: a deterministic race."""

    barrier: asyncio.Barrier

    async def commit(self, changes: Any, result: dict[str, Any], *, tenant: str | None = None) -> Outcome:
        await self.barrier.wait()
        return await super().commit(changes, result, tenant=tenant)


@dataclass
class Desk:
    store: InMemoryEventStore
    facts: KnownFacts

    @classmethod
    def empty(cls) -> Desk:
        return cls(InMemoryEventStore(EventCodec(event_registry(), InMemoryKeyStore())), KnownFacts())

    def writer(self, command: c.Command, key: str | None) -> CommandWriter:
        idempotency = (
            Idempotency(f"finance:{key}", fingerprint(command.model_dump(mode="json"))) if key is not None else None
        )
        return CommandWriter(self.store, EventMetadata(actor="finance"), idempotency)

    async def send(
        self, handler: Handler, command: c.Command, *, key: str | None = None, guard: StaffOf = VANTAA,
        with_facts: bool = False,
    ) -> Outcome:
        async def attempt() -> Outcome:
            writer = self.writer(command, key)
            previous = await writer.previous()
            if previous is not None:
                return previous
            if with_facts:
                return await handler(writer, guard, self.facts, command)
            return await handler(writer, guard, command)

        return await h.retrying(attempt)

    async def race_once(self, handler: Handler, *commands: c.Command) -> list[Outcome | BaseException]:
        """Every command loads and decides before any commits; no retry."""
        barrier = asyncio.Barrier(len(commands))

        def waiting() -> WaitsAtCommit:
            writer = WaitsAtCommit(self.store, EventMetadata(actor="finance"))
            writer.barrier = barrier
            return writer

        return await asyncio.gather(*(handler(waiting(), VANTAA, cmd) for cmd in commands), return_exceptions=True)

    async def recorded(self) -> list[str]:
        return [stored.envelope.event_type for stored in await self.store.read_all(Cursor())]
