"""The composition root: builds the service's parts from settings. Nothing is built at import time,
and every part can be replaced in tests (clock, audit log, key store)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
from rinnalla_events.codec import EventCodec
from rinnalla_events.crypto import KeyStore, PostgresKeyStore
from rinnalla_events.envelope import EventMetadata
from rinnalla_events.registry import EventRegistry
from rinnalla_events.store import PostgresEventStore
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuditLog, PostgresAuditLog

from rinnalla_enrollment.application.writer import CommandWriter, Idempotency
from rinnalla_enrollment.config import DB_POOL_MAX, DB_POOL_MIN, EVENT_SCHEMA, SERVICE_NAME
from rinnalla_enrollment.domain.events import ALL_EVENTS
from rinnalla_enrollment.projections.enrollment_view import EnrollmentReadModel
from rinnalla_enrollment.projections.projector import Projector


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
    projector: Projector
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
    ) -> Enrollment:
        connections = PoolHolder()
        keys = key_store or PostgresKeyStore(connections, settings.require_master_key())
        codec = EventCodec(EventRegistry(ALL_EVENTS), keys)
        store = PostgresEventStore(connections, EVENT_SCHEMA, codec)
        return cls(
            settings=settings,
            connections=connections,
            codec=codec,
            store=store,
            audit_log=audit_log or PostgresAuditLog(connections, service=SERVICE_NAME),
            projector=Projector(connections, store, codec, EnrollmentReadModel()),
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

    def writer(self, metadata: EventMetadata, idempotency: Idempotency | None = None) -> CommandWriter:
        return CommandWriter(self.connections, EVENT_SCHEMA, self.codec, metadata, idempotency)


@asynccontextmanager
async def open_enrollment(settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Enrollment]:
    enrollment = Enrollment.build(settings, **overrides)
    await enrollment.start()
    try:
        yield enrollment
    finally:
        await enrollment.close()
