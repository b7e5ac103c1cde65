"""The composition root: the enrollment service's core declaration and its context (what its handlers
and adapters use), built on the shared service runtime. Nothing is built at import time, and every part
can be replaced in tests (clock, audit log, key store, subjects)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rinnalla_events import (
    EventCodec,
    EventMetadata,
    EventRegistry,
    Idempotency,
    KeyStore,
    NatsSource,
    PostgresEventStore,
    Relay,
    SubjectErased,
    Subjects,
)
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import (
    AuditLog,
    Principal,
    Relations,
    RelationshipSource,
    RetentionPolicy,
    RetentionSettings,
    relations_of,
    service_day,
)
from rinnalla_service import ReadModels, ServiceCore, ServicePool, ServiceRuntime, utc_now

from rinnalla_enrollment.application.erasure import Eraser
from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.application.ports import IdentityClaims, RetentionFacts, SubjectDirectory
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_enrollment.config import DB_POOL_MAX, DB_POOL_MIN, SERVICE_NAME
from rinnalla_enrollment.domain.events import (
    ALL_EVENTS,
    CONSENT_STATEMENTS_V2,
    ChildExited,
    ChildNominated,
    ChildNotSelected,
    PartnershipEnded,
    PartnershipNegotiationFailed,
    TeamTerminated,
)
from rinnalla_enrollment.domain.identity import IDENTITY_EVENTS
from rinnalla_enrollment.domain.mentor_lead import MENTOR_LEAD_EVENTS
from rinnalla_enrollment.domain.records import RECORDS_EVENTS
from rinnalla_enrollment.domain.upcasters import (
    nomination_v1_to_v2,
    nomination_v2_to_v3,
    partnership_text_v1_to_v2,
    team_text_v1_to_v2,
    unchanged,
)
from rinnalla_enrollment.persistence.identity_claims import PostgresIdentityClaims
from rinnalla_enrollment.persistence.log_relationships import EventStoreRelationships
from rinnalla_enrollment.persistence.retention_facts import PostgresRetentionFacts
from rinnalla_enrollment.persistence.subject_directory import PostgresSubjectDirectory
from rinnalla_enrollment.projections.access_relations import ReadModelRelationships
from rinnalla_enrollment.projections.read_models import enrollment_projections
from rinnalla_enrollment.projections.tables import READ_SCHEMA


def core() -> ServiceCore:
    return ServiceCore(
        name=SERVICE_NAME,
        registry=event_registry,
        projections=enrollment_projections,
        read_schema=READ_SCHEMA,
        pool_min_size=DB_POOL_MIN,
        pool_max_size=DB_POOL_MAX,
    )


def event_registry() -> EventRegistry:
    """Enrollment's own events (with the identity index's), and the erasure of a person (it appears in this
    log when one is erased)."""
    registry = EventRegistry((*ALL_EVENTS, *IDENTITY_EVENTS, *MENTOR_LEAD_EVENTS, *RECORDS_EVENTS))
    registry.register(SubjectErased)
    registry.add_upcaster(ChildNominated.event_type, 1, nomination_v1_to_v2)
    registry.add_upcaster(ChildNominated.event_type, 2, nomination_v2_to_v3)
    registry.add_upcaster(ChildExited.event_type, 1, unchanged)
    # v2 of the consent statements adds who recorded them and the evidence: v1 payloads read without either.
    for statement in CONSENT_STATEMENTS_V2:
        registry.add_upcaster(statement.event_type, 1, unchanged)
    registry.add_upcaster(ChildNotSelected.event_type, 1, unchanged)
    # v2 of the organisations' free text encrypts it with the record's own key; v1 reads as plaintext.
    registry.add_upcaster(PartnershipNegotiationFailed.event_type, 1, partnership_text_v1_to_v2)
    registry.add_upcaster(PartnershipEnded.event_type, 1, partnership_text_v1_to_v2)
    registry.add_upcaster(TeamTerminated.event_type, 1, team_text_v1_to_v2)
    return registry


@dataclass
class Enrollment:
    """What enrollment's handlers and adapters use: the shared runtime, the identity index's keys, and the
    application's ports with the erasure service over them, each built once per process.

    Access follows the log through two `RelationshipSource`s: `relationships` answers from the read model
    (for reads, as fresh as the views they guard) and `log_relationships` from the event store (for
    commands, which must read their own writes)."""

    runtime: ServiceRuntime
    identity_keys: IdentityKeys
    subject_directory: SubjectDirectory
    identity_claims: IdentityClaims
    retention_facts: RetentionFacts
    retention_policy: RetentionPolicy  # the periods (RINNALLA_RETENTION_PERIODS), for the retention schedule
    eraser: Eraser
    relationships: RelationshipSource
    log_relationships: RelationshipSource

    @classmethod
    def on(cls, runtime: ServiceRuntime) -> Enrollment:
        schema = runtime.schema
        directory = PostgresSubjectDirectory(runtime.connections, schema)
        claims = PostgresIdentityClaims(runtime.connections, schema)
        return cls(
            runtime=runtime,
            identity_keys=IdentityKeys(runtime.settings.require_master_key()),
            subject_directory=directory,
            identity_claims=claims,
            retention_facts=PostgresRetentionFacts(runtime.connections, schema),
            retention_policy=RetentionSettings().policy(),
            # the runtime's clock is read at each erasure, so a test that moves the clock moves the eraser's
            eraser=Eraser(runtime.store, runtime.key_store, directory, claims, lambda: runtime.clock()),
            relationships=ReadModelRelationships(runtime.connections),
            log_relationships=EventStoreRelationships(runtime.connections, schema, runtime.store),
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
    ) -> Enrollment:
        runtime = ServiceRuntime.build(
            core(), settings, clock=clock, audit_log=audit_log, key_store=key_store, subjects=subjects
        )
        return cls.on(runtime)

    @property
    def settings(self) -> RuntimeSettings:
        return self.runtime.settings

    @property
    def connections(self) -> ServicePool:
        return self.runtime.connections

    @property
    def codec(self) -> EventCodec:
        return self.runtime.codec

    @property
    def store(self) -> PostgresEventStore:
        return self.runtime.store

    @property
    def audit_log(self) -> AuditLog:
        return self.runtime.audit_log

    @property
    def subjects(self) -> Subjects:
        return self.runtime.subjects

    @property
    def read_models(self) -> ReadModels:
        return self.runtime.read_models

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.runtime.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.runtime.clock = clock

    async def relations(self, principal: Principal, *, from_log: bool = False) -> Relations:
        """The teams and children the principal's relationships reach today (by the service clock, so a
        test that moves the clock past a child's 18th birthday ends the guardian's access)."""
        source = self.log_relationships if from_log else self.relationships
        return await relations_of(principal, source, service_day(self.clock()))

    async def start(self) -> None:
        await self.runtime.start()

    async def close(self) -> None:
        await self.runtime.close()

    def writer(self, metadata: EventMetadata, idempotency: Idempotency | None = None) -> EnrollmentWriter:
        return EnrollmentWriter(
            self.store, metadata, idempotency, identity_keys=self.identity_keys, identity_index=self.identity_claims
        )

    def relay(self, nats_source: NatsSource) -> Relay:
        return self.runtime.relay(nats_source)

    async def unpublished(self) -> int:
        return await self.runtime.unpublished()

    async def projection_lag(self, js: Any) -> dict[str, int]:
        return await self.runtime.projection_lag(js)


@asynccontextmanager
async def open_enrollment(settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Enrollment]:
    enrollment = Enrollment.build(settings, **overrides)
    await enrollment.start()
    try:
        yield enrollment
    finally:
        await enrollment.close()
