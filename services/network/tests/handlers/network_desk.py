"""The network's handlers on an in-memory event store, with in-memory fakes of its ports (the view of
enrollment, the freshness gate), called the way the HTTP adapter calls them."""

from __future__ import annotations

from dataclasses import dataclass, field

import rinnalla_consent as consent
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
from rinnalla_network.application import handlers as h
from rinnalla_network.application.ports import RegisterBehind
from rinnalla_network.bootstrap import event_registry
from rinnalla_network.domain import commands as c
from rinnalla_network.domain.errors import NotFound
from rinnalla_network.domain.referral import ChildRecord
from rinnalla_network.domain.service_levels import ServiceLevels


class Staff:
    """A fake guard: a coordinator of one municipality, or a mentor of some teams, or a recipient."""

    def __init__(self, tenants: tuple[str, ...] = ("092",), *, teams: frozenset[str] | None = None,
                 organisation_id: str | None = None) -> None:
        self.tenants = tenants
        self.teams = teams
        self.organisation_id = organisation_id

    def tenant(self, municipality_code: str) -> None:
        if municipality_code not in self.tenants:
            raise NotFound("", "no such record")

    def any_tenant(self, municipality_codes: tuple[str, ...]) -> None:
        if not set(municipality_codes) & set(self.tenants):
            raise NotFound("", "no such record")

    def child(self, municipality_code: str, child_id: str, team_id: str) -> None:
        self.tenant(municipality_code)
        if self.teams is not None and team_id not in self.teams:
            raise NotFound("", "no such record")

    def family(self, organisation_id: str, municipality_code: str) -> None:
        if organisation_id != self.organisation_id:
            self.tenant(municipality_code)

    def receiver(self, organisation_id: str) -> None:
        if organisation_id != self.organisation_id:
            raise NotFound("", "no such record")


COORDINATOR = Staff()


@dataclass
class Children:
    children: dict[str, ChildRecord] = field(default_factory=dict)
    facts: dict[str, list[consent.ConsentFact]] = field(default_factory=dict)

    async def child(self, child_id: str) -> ChildRecord | None:
        return self.children.get(child_id)

    async def consent_view(self, child_id: str) -> consent.ConsentView:
        return consent.fold(self.facts.get(child_id, []))

    async def mentored_teams(self, mentor_id: str) -> frozenset[str]:
        return frozenset()


@dataclass
class Gate:
    """The freshness gate: `behind` events not yet applied refuse every decision."""

    behind: int = 0
    checks: int = 0

    async def ensure_current(self) -> None:
        self.checks += 1
        if self.behind:
            raise RegisterBehind(self.behind)


@dataclass
class Desk:
    store: InMemoryEventStore
    children: Children = field(default_factory=Children)
    gate: Gate = field(default_factory=Gate)
    levels: ServiceLevels = field(default_factory=ServiceLevels)

    @classmethod
    def empty(cls) -> Desk:
        return cls(InMemoryEventStore(EventCodec(event_registry(), InMemoryKeyStore())))

    def writer(self, command: c.Command, key: str | None = None) -> CommandWriter:
        idempotency = None if key is None else Idempotency(
            f"user:{key}", fingerprint(command.model_dump(mode="json", exclude={"at"})))
        return CommandWriter(self.store, EventMetadata(actor="user"), idempotency)

    async def partner(self, command: c.PartnerCommand, guard: Staff = COORDINATOR) -> Outcome:
        return await h.on_partner(self.writer(command), guard, command)

    async def send(self, command: c.SendReferral, *, key: str | None = None, guard: Staff = COORDINATOR) -> Outcome:
        writer = self.writer(command, key)
        return await writer.previous() or await h.send_referral(
            writer, guard, self.children, self.gate, self.levels, command)

    async def step(self, command: object, guard: Staff) -> Outcome:
        return await h.on_referral(self.writer(command), guard, command)  # type: ignore[arg-type]

    async def family(self, command: object, guard: Staff) -> Outcome:
        return await h.on_family(self.writer(command), guard, command)  # type: ignore[arg-type]

    async def recorded(self) -> list[str]:
        return [stored.envelope.event_type for stored in await self.store.read_all(Cursor())]
