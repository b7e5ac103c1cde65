"""Entry points of the billing service: the API app, the worker, migrations, and its `ServiceSpec`.

Partnership agreements, invoices to municipalities (Peppol BIS 3.0, Finvoice 3.0), the ERP feed, and social-
impact-bond outcome contracts and payments. The service has its event store, relay, probes, metrics and access
control in place; its
commands and read models arrive with its own issue (see README.md), so `/v1` has no routes yet.
"""

from __future__ import annotations

import asyncio
import os

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
from rinnalla_events.subjects import Subjects, ensure_stream
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.migrations import upgrade_database
from rinnalla_runtime.readiness import ReadinessCheck, nats_url_check, postgres_check
from rinnalla_runtime.service import ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings, install_security

from rinnalla_billing.migrations import SCRIPT_LOCATION, VERSION_TABLE_SCHEMA

SERVICE_NAME = "billing"
DEFAULT_8004 = 8004
EVENT_SCHEMA = "billing"
SUBJECT_PREFIX_VARIABLE = "RINNALLA_SUBJECT_PREFIX"
DESCRIPTION = (
    "Partnership agreements, invoices to municipalities (Peppol BIS 3.0, Finvoice 3.0), the ERP "
    "feed, and social-impact-bond outcome contracts and payments."
)


def subjects() -> Subjects:
    return Subjects(os.environ.get(SUBJECT_PREFIX_VARIABLE, "").strip() or "rinnalla")


def event_registry() -> EventRegistry:
    # Erasures of people reach every store; this service's own events are registered here as they land.
    return EventRegistry([SubjectErased])


def readiness_checks(settings: RuntimeSettings) -> dict[str, ReadinessCheck]:
    checks = {"postgres": postgres_check(settings.require_database_dsn())}
    if settings.nats_url:
        checks["nats"] = nats_url_check(settings.nats_url)
    return checks


def create_app(settings: RuntimeSettings, *, auth: AuthSettings | None = None) -> FastAPI:
    app = create_service_app(
        SERVICE_NAME, settings, routers=[], readiness_checks=readiness_checks(settings), description=DESCRIPTION
    )
    install_security(
        app, service=SERVICE_NAME, settings=auth or AuthSettings(), max_body_bytes=settings.max_request_body_bytes
    )
    return app


async def migrate(settings: RuntimeSettings) -> None:
    await upgrade_database(SCRIPT_LOCATION, settings.require_database_dsn(), version_table_schema=VERSION_TABLE_SCHEMA)


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    """Until `stop` is set: the relay publishes this service's event store to its JetStream stream."""
    connections = AsyncpgConnections(await asyncpg.create_pool(settings.require_database_dsn(), min_size=1, max_size=4))
    try:
        codec = EventCodec(event_registry(), PostgresKeyStore(connections, settings.require_master_key()))
        store = PostgresEventStore(connections, EVENT_SCHEMA, codec)
        client = await nats.connect(settings.require_nats_url(), name=f"rinnalla-{SERVICE_NAME}")
        try:
            await ensure_stream(client.jetstream(), subjects(), SERVICE_NAME, replicas=settings.nats_stream_replicas)
        finally:
            await client.close()
        relay = Relay(
            store,
            connections,
            nats_connector(settings.require_nats_url(), name=f"rinnalla-{SERVICE_NAME}-relay"),
            subjects(),
            SERVICE_NAME,
            replicas=settings.nats_stream_replicas,
        )
        await relay.run(stop)
    finally:
        await connections.close()


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name=SERVICE_NAME,
        default_port=DEFAULT_8004,
        create_app=create_app,
        run_worker=run_worker,
        migrate=migrate,
        event_classes=(),
        description=DESCRIPTION,
    )
