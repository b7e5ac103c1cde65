"""The shared part of every service's composition root: pool, keys, codec, event store, audit log, bus
names, read models, clock. Built once per process from settings; nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import nats
from nats.aio.client import Client as NatsClient
from prometheus_client import CollectorRegistry
from rinnalla_events import (
    EventCodec,
    EventRegistry,
    EventTooLargeForBus,
    KeyStore,
    NatsSource,
    PostgresEventStore,
    PostgresKeyStore,
    Relay,
    SubjectErased,
    Subjects,
    nats_connector,
    register_consumed,
)
from rinnalla_runtime.nats_options import nats_connect_options
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import configured_subjects
from rinnalla_security import AuditLog, PostgresAuditLog

from rinnalla_service.audit_checkpoints import AuditKeys, CheckpointPublisher, NatsChainAnchors, audit_keys
from rinnalla_service.pool import ServicePool
from rinnalla_service.read_models import ReadModels

if TYPE_CHECKING:
    from rinnalla_service.definition import ServiceCore


def utc_now() -> datetime:
    return datetime.now(UTC)


def service_registry(core: ServiceCore) -> EventRegistry:
    """The service's events, its readers of other services' events, and the erasure of a person, which may
    appear in any service's log."""
    registry = register_consumed(core.registry(), core.consumed())
    if not registry.knows(SubjectErased.event_type):
        registry.register(SubjectErased)
    return registry


@dataclass
class ServiceRuntime:
    name: str
    settings: RuntimeSettings
    connections: ServicePool
    key_store: KeyStore
    codec: EventCodec
    store: PostgresEventStore
    audit_log: AuditLog
    subjects: Subjects
    read_models: ReadModels
    clock: Callable[[], datetime]
    pool_min_size: int
    pool_max_size: int
    audit_keys: AuditKeys | None = None
    metrics_registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    """This process's metrics of the service (the API's or the worker's /metrics)."""

    @classmethod
    def build(
        cls,
        core: ServiceCore,
        settings: RuntimeSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        audit_log: AuditLog | None = None,
        key_store: KeyStore | None = None,
        subjects: Subjects | None = None,
    ) -> ServiceRuntime:
        """Every part, with the pool still closed (`start` opens it). Tests replace clock, audit log, keys."""
        connections = ServicePool(core.name)
        keys = key_store or PostgresKeyStore(
            connections, settings.require_master_key(), readable_kinds=core.subject_kinds
        )
        codec = EventCodec(service_registry(core), keys)
        bus = subjects or configured_subjects(settings)
        chain = audit_keys(settings)
        registry = CollectorRegistry()
        return cls(
            name=core.name,
            settings=settings,
            connections=connections,
            key_store=keys,
            codec=codec,
            store=PostgresEventStore(
                connections,
                core.schema,
                codec,
                max_message_bytes=settings.bus_max_message_bytes,
                registry=registry,
                service=core.name,
                wake_relay=True,
            ),
            audit_log=audit_log
            or PostgresAuditLog(
                connections, service=core.name, chain_key=chain.chain_key if chain else None, registry=registry
            ),
            subjects=bus,
            read_models=ReadModels(
                core.name,
                connections,
                core.schema,
                core.stable_read_schema,
                codec,
                bus,
                tuple(core.projections()),
            ),
            clock=clock,
            pool_min_size=core.pool_min_size,
            pool_max_size=core.pool_max_size,
            audit_keys=chain,
            metrics_registry=registry,
        )

    @property
    def runtime(self) -> ServiceRuntime:
        """A service without a composition of its own uses the runtime as its context."""
        return self

    @property
    def schema(self) -> str:
        return self.store.schema

    async def start(self) -> None:
        await self.connections.open(
            self.settings.require_database_dsn(), min_size=self.pool_min_size, max_size=self.pool_max_size
        )

    async def close(self) -> None:
        await self.connections.close()

    def relay(self, nats_source: NatsSource, *, registry: CollectorRegistry | None = None) -> Relay:
        """Publishes this service's store to its JetStream stream, in log order; its metrics go to the
        process's registry (the worker's /metrics) unless `registry` is given."""
        return Relay(
            self.store,
            self.connections,
            nats_source,
            self.subjects,
            self.name,
            replicas=self.settings.nats_stream_replicas,
            registry=registry if registry is not None else self.metrics_registry,
        )

    async def unpublished(self) -> int:
        """Events committed to the store that the relay has not published yet."""
        # a relay built only to count: its gauges stay out of this process's /metrics
        return await self.relay(_never_connects, registry=CollectorRegistry()).lag()

    async def blocking_event(self) -> EventTooLargeForBus | None:
        """The next event to publish if it is too large for the bus (the relay is stopped before it)."""
        # like `unpublished`: a relay built only to look, whose metrics stay out of this process's /metrics
        return await self.relay(_never_connects, registry=CollectorRegistry()).blocking_event()

    async def parked_counts(self) -> dict[str, int]:
        """Unresolved parked events per consumer (projection) of this service."""
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT consumer, count(*) AS parked FROM {self.schema}.parked_events"
                " WHERE resolved_at IS NULL GROUP BY consumer"
            )
        return {row["consumer"]: int(row["parked"]) for row in rows}

    async def publish_placeholder(self, event_id: UUID) -> int:
        """Publish an `EventTooLargeForBus` placeholder in place of the event the relay is stopped at."""
        relay = self.relay(
            nats_connector(
                self.settings.require_nats_url(),
                name=f"rinnalla-{self.name}-operator",
                options=nats_connect_options(self.settings, self.name),
            ),
            registry=CollectorRegistry(),  # an operator's one-off relay: not this process's metrics
        )
        try:
            return await relay.publish_placeholder(event_id)
        finally:
            await relay.close()

    async def projection_lag(self, js: Any) -> dict[str, int]:
        """Events each read model has still to apply: those not yet published, plus those published and
        not yet applied (counted in this order, so 0 means every event committed before the call is in)."""
        unpublished = await self.unpublished()
        return {name: unpublished + behind for name, behind in (await self.read_models.lag(js)).items()}

    def checkpoint_publisher(self) -> CheckpointPublisher | None:
        """Signs the audit chains' heads (None without keys: no master key configured)."""
        if self.audit_keys is None:
            return None
        return CheckpointPublisher(
            self.audit_log,
            self.subjects,
            self.name,
            self.audit_keys.signing_key,
            self.clock,
            replicas=self.settings.nats_stream_replicas,
        )

    def chain_anchors(self) -> NatsChainAnchors | None:
        """The verifier's view of the checkpoints this service's workers published (None without keys)."""
        if self.audit_keys is None or not self.settings.nats_url:
            return None
        return NatsChainAnchors(self._connect_once, self.subjects, self.name, self.audit_keys.verify_keys)

    async def _connect_once(self) -> NatsClient:
        return await nats.connect(
            self.settings.require_nats_url(),
            name=f"rinnalla-{self.name}-audit",
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=2,
            **nats_connect_options(self.settings, self.name),
        )

    async def connect_nats(self) -> NatsClient:
        """A client for the projection runners and operations: keeps reconnecting while the server is away."""
        return await nats.connect(
            self.settings.require_nats_url(),
            name=f"rinnalla-{self.name}",
            max_reconnect_attempts=-1,
            connect_timeout=2,
            **nats_connect_options(self.settings, self.name),
        )


async def _never_connects() -> NatsClient:
    raise RuntimeError("a relay built to read its backlog does not publish")
