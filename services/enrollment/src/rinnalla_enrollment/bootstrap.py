"""The composition root: builds the service's parts from settings. Nothing is built at import time,
and every part can be replaced in tests (clock, audit log, key store)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats
from nats.aio.client import Client as NatsClient
from rinnalla_events.codec import EventCodec
from rinnalla_events.command_writer import Idempotency
from rinnalla_events.crypto import KeyStore, PostgresKeyStore
from rinnalla_events.envelope import EventMetadata
from rinnalla_events.erasure import SubjectErased
from rinnalla_events.nats_connection import NatsSource
from rinnalla_events.registry import EventRegistry
from rinnalla_events.relay import Relay
from rinnalla_events.store import PostgresEventStore
from rinnalla_events.subjects import Subjects
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuditLog, PostgresAuditLog

from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_enrollment.config import DB_POOL_MAX, DB_POOL_MIN, EVENT_SCHEMA, SERVICE_NAME, subjects
from rinnalla_enrollment.domain.events import ALL_EVENTS, ChildNominated
from rinnalla_enrollment.domain.identity import IDENTITY_EVENTS
from rinnalla_enrollment.domain.upcasters import nomination_v1_to_v2
from rinnalla_enrollment.projections.read_models import ReadModels, enrollment_projections


class NotStarted(RuntimeError):
    pass


class PoolHolder:
    """A connection source whose pool is opened later (in the app's lifespan), so that the parts that
    borrow connections can be built up front."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None

    def acquire(self) -> Any:
        if self.pool is None:
            raise NotStarted("the enrollment service's database pool is not open yet")
        return self.pool.acquire()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Enrollment:
    settings: RuntimeSettings
    connections: PoolHolder
    codec: EventCodec
    store: PostgresEventStore
    audit_log: AuditLog
    subjects: Subjects
    read_models: ReadModels
    identity_keys: IdentityKeys
    clock: Callable[[], datetime] = utc_now
    _owned_pool: bool = field(default=False, repr=False)

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
        connections = PoolHolder()
        master_key = settings.require_master_key()
        keys = key_store or PostgresKeyStore(connections, master_key)
        codec = EventCodec(event_registry(), keys)
        store = PostgresEventStore(connections, EVENT_SCHEMA, codec)
        bus = subjects or default_subjects()
        return cls(
            settings=settings,
            connections=connections,
            codec=codec,
            store=store,
            audit_log=audit_log or PostgresAuditLog(connections, service=SERVICE_NAME),
            subjects=bus,
            read_models=ReadModels(connections, EVENT_SCHEMA, codec, bus, enrollment_projections()),
            identity_keys=IdentityKeys(master_key),
            clock=clock,
        )

    async def start(self) -> None:
        if self.connections.pool is None:
            self.connections.pool = await asyncpg.create_pool(
                self.settings.require_database_dsn(), min_size=DB_POOL_MIN, max_size=DB_POOL_MAX
            )
            self._owned_pool = True

    async def close(self) -> None:
        if self.connections.pool is not None and self._owned_pool:
            await self.connections.pool.close()
            self.connections.pool = None

    def writer(self, metadata: EventMetadata, idempotency: Idempotency | None = None) -> EnrollmentWriter:
        return EnrollmentWriter(self.store, metadata, idempotency, identity_keys=self.identity_keys)

    def relay(self, nats_source: NatsSource) -> Relay:
        """Publishes this service's store to its JetStream stream, in log order."""
        return Relay(
            self.store,
            self.connections,
            nats_source,
            self.subjects,
            SERVICE_NAME,
            replicas=self.settings.nats_stream_replicas,
        )

    async def unpublished(self) -> int:
        """Events committed to the store that the relay has not published yet."""
        return await self.relay(_never_connects).lag()

    async def projection_lag(self, js: Any) -> dict[str, int]:
        """Events each read model has still to apply: those not yet published, plus those published and
        not yet applied (counted in this order, so 0 means every event committed before the call is in)."""
        unpublished = await self.unpublished()
        return {name: unpublished + behind for name, behind in (await self.read_models.lag(js)).items()}


def event_registry() -> EventRegistry:
    """Enrollment's own events (with the identity index's), and the erasure of a person (it appears in this
    log when one is erased)."""
    registry = EventRegistry((*ALL_EVENTS, *IDENTITY_EVENTS))
    registry.register(SubjectErased)
    registry.add_upcaster(ChildNominated.event_type, 1, nomination_v1_to_v2)
    return registry


def default_subjects() -> Subjects:
    return subjects()


async def _never_connects() -> NatsClient:
    raise RuntimeError("a relay built to read its backlog does not publish")


async def connect_nats(settings: RuntimeSettings) -> NatsClient:
    """A client for the projection runners and operations: keeps reconnecting while the server is away."""
    return await nats.connect(
        settings.require_nats_url(), name=f"rinnalla-{SERVICE_NAME}", max_reconnect_attempts=-1, connect_timeout=2
    )


@asynccontextmanager
async def open_enrollment(settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Enrollment]:
    enrollment = Enrollment.build(settings, **overrides)
    await enrollment.start()
    try:
        yield enrollment
    finally:
        await enrollment.close()
