"""The composition root: the billing service's core declaration and its context (what its handlers and
adapters use), built on the shared service runtime. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rinnalla_events import (
    CommandWriter,
    EventMetadata,
    EventRegistry,
    Idempotency,
    KeyStore,
    SubjectKinds,
    Subjects,
)
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuditLog, service_day
from rinnalla_service import ServiceCore, ServiceRuntime, utc_now

from rinnalla_billing.application.ports import EnrollmentFacts
from rinnalla_billing.consumed import ENROLLMENT_READERS
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.catalogue import BILLING_EVENTS
from rinnalla_billing.domain.upcasters import agreement_text_v1_to_v2, document_text_v1_to_v2
from rinnalla_billing.projections.enrollment_facts import ReadModelEnrollmentFacts
from rinnalla_billing.projections.read_models import billing_projections
from rinnalla_billing.projections.tables import READ_SCHEMA

SERVICE_NAME = "billing"
DEFAULT_PORT = 8004

# ADR 0004: invoices and outcome payments name no person; billing reads only its own records' free text.
SUBJECT_KINDS = frozenset({SubjectKinds.BILLING_RECORD})


def event_registry() -> EventRegistry:
    registry = EventRegistry(BILLING_EVENTS)
    registry.add_upcaster(e.AgreementAmended.event_type, 1, agreement_text_v1_to_v2)
    registry.add_upcaster(e.AgreementTerminated.event_type, 1, agreement_text_v1_to_v2)
    registry.add_upcaster(e.DocumentDiscarded.event_type, 1, document_text_v1_to_v2)
    registry.add_upcaster(e.DocumentDeliveryFailed.event_type, 1, document_text_v1_to_v2)
    return registry


def core() -> ServiceCore:
    return ServiceCore(
        name=SERVICE_NAME,
        registry=event_registry,
        projections=billing_projections,
        consumed=lambda: ENROLLMENT_READERS,
        subject_kinds=SUBJECT_KINDS,
        read_schema=READ_SCHEMA,
    )


@dataclass
class Billing:
    """What billing's handlers and adapters use: the shared runtime and enrollment's facts."""

    runtime: ServiceRuntime
    facts: EnrollmentFacts

    @classmethod
    def on(cls, runtime: ServiceRuntime) -> Billing:
        return cls(runtime=runtime, facts=ReadModelEnrollmentFacts(runtime.connections))

    @classmethod
    def build(
        cls,
        settings: RuntimeSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        audit_log: AuditLog | None = None,
        key_store: KeyStore | None = None,
        subjects: Subjects | None = None,
    ) -> Billing:
        runtime = ServiceRuntime.build(
            core(), settings, clock=clock, audit_log=audit_log, key_store=key_store, subjects=subjects
        )
        return cls.on(runtime)

    def today(self) -> date:
        """The service's day (Finnish time) by its clock: invoices are dated by it."""
        return service_day(self.runtime.clock())

    def writer(self, metadata: EventMetadata, idempotency: Idempotency | None = None) -> CommandWriter:
        return CommandWriter(self.runtime.store, metadata, idempotency)

    async def start(self) -> None:
        await self.runtime.start()

    async def close(self) -> None:
        await self.runtime.close()

    async def projection_lag(self, js: Any) -> dict[str, int]:
        return await self.runtime.projection_lag(js)


@asynccontextmanager
async def open_billing(settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Billing]:
    billing = Billing.build(settings, **overrides)
    await billing.start()
    try:
        yield billing
    finally:
        await billing.close()
