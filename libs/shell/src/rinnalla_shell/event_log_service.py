"""A `ServiceSpec` for a service whose domain has not landed yet: it runs like every other service.

It migrates its own event store (the service's Alembic revisions), its worker's relay publishes that
store to the service's JetStream stream, and its API has the probes, metrics and access control of
every service, with no routes under `/v1` until its commands arrive.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import nats
from fastapi import FastAPI
from rinnalla_events.codec import EventCodec
from rinnalla_events.connections import AsyncpgConnections
from rinnalla_events.crypto import PostgresKeyStore
from rinnalla_events.erasure import SubjectErased
from rinnalla_events.nats_connection import nats_connector
from rinnalla_events.registry import EventRegistry
from rinnalla_events.relay import Relay
from rinnalla_events.store import PostgresEventStore
from rinnalla_events.subjects import ensure_stream
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.migrations import upgrade_database
from rinnalla_runtime.readiness import server_checks
from rinnalla_runtime.service import ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import configured_subjects
from rinnalla_security import AuthSettings, install_security


def event_log_service(name: str, *, default_port: int, description: str, migrations: Path) -> ServiceSpec:
    """The service `name`, with its event store in the schema of the same name, migrated from `migrations`."""

    def create_app(settings: RuntimeSettings, *, auth: AuthSettings | None = None) -> FastAPI:
        app = create_service_app(
            name, settings, routers=[], readiness_checks=server_checks(settings), description=description
        )
        install_security(
            app, service=name, settings=auth or AuthSettings(), max_body_bytes=settings.max_request_body_bytes
        )
        return app

    async def migrate(settings: RuntimeSettings) -> None:
        await upgrade_database(migrations, settings.require_database_dsn(), version_table_schema=name)

    async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
        """Until `stop` is set: the relay publishes this service's event store to its JetStream stream."""
        subjects = configured_subjects(settings)
        pool = await asyncpg.create_pool(settings.require_database_dsn(), min_size=1, max_size=4)
        connections = AsyncpgConnections(pool)
        try:
            # Erasures of people reach every store; the service's own events are registered as they land.
            codec = EventCodec(
                EventRegistry([SubjectErased]), PostgresKeyStore(connections, settings.require_master_key())
            )
            store = PostgresEventStore(connections, name, codec)
            client = await nats.connect(settings.require_nats_url(), name=f"rinnalla-{name}")
            try:
                await ensure_stream(client.jetstream(), subjects, name, replicas=settings.nats_stream_replicas)
            finally:
                await client.close()
            relay = Relay(
                store,
                connections,
                nats_connector(settings.require_nats_url(), name=f"rinnalla-{name}-relay"),
                subjects,
                name,
                replicas=settings.nats_stream_replicas,
            )
            await relay.run(stop)
        finally:
            await connections.close()

    return ServiceSpec(
        name=name,
        default_port=default_port,
        create_app=create_app,
        run_worker=run_worker,
        migrate=migrate,
        event_classes=(),
        description=description,
    )
