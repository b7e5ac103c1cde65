"""The composition root: the network service's core declaration and its context (what its handlers and
adapters use), built on the shared service runtime. Nothing is built at import time; tests replace the
clock, the service levels and the freshness wait."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rinnalla_events import CommandWriter, EventMetadata, EventRegistry, Idempotency, Projection, SubjectKinds
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_service import ServiceCore, ServiceRuntime

from rinnalla_network.application.deadlines import DeadlineCheck
from rinnalla_network.application.ports import ChildDirectory, Freshness
from rinnalla_network.config import DB_POOL_MAX, DB_POOL_MIN, ENROLLMENT, READ_SCHEMA, SERVICE_NAME
from rinnalla_network.consumed import ENROLLMENT_READERS
from rinnalla_network.domain import events as e
from rinnalla_network.domain.events import ALL_EVENTS
from rinnalla_network.domain.service_levels import ServiceLevels
from rinnalla_network.domain.upcasters import partner_text_v1_to_v2, referral_text_v1_to_v2
from rinnalla_network.persistence.children import ProjectedChildren
from rinnalla_network.persistence.freshness import StreamFreshness
from rinnalla_network.persistence.referrals import ReferralReads
from rinnalla_network.projections.enrollment_mirror import EnrollmentMirror
from rinnalla_network.projections.referral_views import ReferralViews

# ADR 0004: referrals name the child, family partners contact the guardians; staff data stays out. A
# partner's free text is encrypted with a key of network's own record kind.
SUBJECT_KINDS = frozenset({SubjectKinds.CHILD, SubjectKinds.GUARDIAN, SubjectKinds.NETWORK_RECORD})


def event_registry() -> EventRegistry:
    registry = EventRegistry(ALL_EVENTS)
    registry.add_upcaster(e.PartnerInboundPaused.event_type, 1, partner_text_v1_to_v2)
    registry.add_upcaster(e.ReferralWithdrawn.event_type, 1, referral_text_v1_to_v2)
    registry.add_upcaster(e.ReferralSharingStopped.event_type, 1, referral_text_v1_to_v2)
    return registry


def network_projections() -> tuple[Projection, ...]:
    return (EnrollmentMirror(), ReferralViews())


def core() -> ServiceCore:
    return ServiceCore(
        name=SERVICE_NAME,
        registry=event_registry,
        projections=network_projections,
        consumed=lambda: ENROLLMENT_READERS,
        subject_kinds=SUBJECT_KINDS,
        read_schema=READ_SCHEMA,
        pool_min_size=DB_POOL_MIN,
        pool_max_size=DB_POOL_MAX,
    )


@dataclass
class Network:
    """What network's handlers and adapters use: the runtime, its view of enrollment (children and their
    consent register), the freshness gate before a consent decision, and the recipients' service levels."""

    runtime: ServiceRuntime
    children: ChildDirectory
    freshness: Freshness
    reads: ReferralReads
    levels: ServiceLevels = field(default_factory=ServiceLevels)

    @classmethod
    def on(cls, runtime: ServiceRuntime) -> Network:
        return cls(
            runtime=runtime,
            children=ProjectedChildren(runtime.connections, runtime.read_models.read_schema),
            freshness=StreamFreshness(
                runtime.connections, runtime.schema, EnrollmentMirror.name, runtime.subjects, ENROLLMENT,
                runtime.connect_nats,
            ),
            reads=ReferralReads(runtime.connections, runtime.read_models.read_schema),
        )

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.runtime.clock

    def deadline_check(self) -> DeadlineCheck:
        return DeadlineCheck(self.reads, self.children, self.freshness, self.writer)

    def writer(self, metadata: EventMetadata, idempotency: Idempotency | None = None) -> CommandWriter:
        return CommandWriter(self.runtime.store, metadata, idempotency)


@asynccontextmanager
async def open_network(settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Network]:
    """The context with its pool open (tests and tools); `overrides` replace the runtime's clock or audit log."""
    network = Network.on(ServiceRuntime.build(core(), settings, **overrides))
    await network.runtime.start()
    try:
        yield network
    finally:
        await network.runtime.close()
