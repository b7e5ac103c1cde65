"""The composition root: the caselog service's core declaration and its context (what its handlers and
adapters use), built on the shared service runtime. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rinnalla_events import CommandWriter, EventMetadata, EventRegistry, Idempotency, KeyStore, SubjectKinds, Subjects
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuditLog
from rinnalla_service import ServiceCore, ServiceRuntime, utc_now

from rinnalla_caselog.application.ports import ResearchSource, Roster
from rinnalla_caselog.config import READ_SCHEMA, SERVICE_NAME
from rinnalla_caselog.consumed import ENROLLMENT_READERS
from rinnalla_caselog.domain.assessment import AssessmentCorrected
from rinnalla_caselog.domain.contact import ContactCorrected, contact_text_v1_to_v2
from rinnalla_caselog.domain.events import ALL_EVENTS
from rinnalla_caselog.persistence.roster import PostgresRoster
from rinnalla_caselog.projections.read_models import caselog_projections
from rinnalla_caselog.projections.research_source import ReadModelResearchSource

# ADR 0004: the mentor's case log knows the children and the staff, not the guardians' details; a contact's
# free text is encrypted with a key of caselog's own record kind.
SUBJECT_KINDS = frozenset({SubjectKinds.CHILD, SubjectKinds.MENTOR, SubjectKinds.CASELOG_RECORD})


def event_registry() -> EventRegistry:
    registry = EventRegistry(ALL_EVENTS)
    # v2 encrypts the correction's reason with the child's key; a v1 payload's plaintext reason reads as it is.
    registry.add_upcaster(AssessmentCorrected.event_type, 1, lambda payload: payload)
    registry.add_upcaster(ContactCorrected.event_type, 1, contact_text_v1_to_v2)
    return registry


def core() -> ServiceCore:
    return ServiceCore(
        name=SERVICE_NAME,
        registry=event_registry,
        consumed=lambda: ENROLLMENT_READERS,
        subject_kinds=SUBJECT_KINDS,
        projections=caselog_projections,
        read_schema=READ_SCHEMA,
    )


@dataclass
class Caselog:
    """What caselog's handlers and adapters use: the shared runtime, the roster (enrollment's facts as the
    case log keeps them) and the read models a research extract is made from."""

    runtime: ServiceRuntime
    roster: Roster
    research: ResearchSource

    @classmethod
    def on(cls, runtime: ServiceRuntime) -> Caselog:
        return cls(
            runtime=runtime,
            roster=PostgresRoster(runtime.connections, runtime.read_models.read_schema),
            research=ReadModelResearchSource(runtime.connections),
        )

    @classmethod
    def build(
        cls,
        settings: RuntimeSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        audit_log: AuditLog | None = None,
        key_store: KeyStore | None = None,
        subjects: Subjects | None = None,
    ) -> Caselog:
        runtime = ServiceRuntime.build(
            core(), settings, clock=clock, audit_log=audit_log, key_store=key_store, subjects=subjects
        )
        return cls.on(runtime)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.runtime.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.runtime.clock = clock

    def writer(self, metadata: EventMetadata, idempotency: Idempotency | None = None) -> CommandWriter:
        return CommandWriter(self.runtime.store, metadata, idempotency)

    async def start(self) -> None:
        await self.runtime.start()

    async def close(self) -> None:
        await self.runtime.close()

    async def projection_lag(self, js: Any) -> dict[str, int]:
        return await self.runtime.projection_lag(js)


@asynccontextmanager
async def open_caselog(settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Caselog]:
    caselog = Caselog.build(settings, **overrides)
    await caselog.start()
    try:
        yield caselog
    finally:
        await caselog.close()
