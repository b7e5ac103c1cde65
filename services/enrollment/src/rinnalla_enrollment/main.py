"""Entry points: the API app, the worker, migrations and the CLI's operations (`service_spec`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI
from rinnalla_events.erasure import SubjectErased
from rinnalla_events.nats_connection import nats_connector
from rinnalla_events.subjects import ensure_stream
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.migrations import upgrade_database
from rinnalla_runtime.readiness import server_checks
from rinnalla_runtime.service import ProgressCallback, ServiceSpec, UnknownProjection
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.worker import EXIT_OK, StoppableTask, run_until_stopped
from rinnalla_security import AuthSettings, RetentionSettings, install_security

from rinnalla_enrollment.adapters.audit_http import enrollment_audit_router
from rinnalla_enrollment.adapters.erasure_http import erasure_router
from rinnalla_enrollment.adapters.errors import install_error_handlers
from rinnalla_enrollment.adapters.http import command_router
from rinnalla_enrollment.adapters.read_http import read_router
from rinnalla_enrollment.adapters.retention_runner import retention_task
from rinnalla_enrollment.bootstrap import Enrollment, connect_nats, open_enrollment
from rinnalla_enrollment.config import DEFAULT_PORT, EVENT_SCHEMA, SERVICE_NAME, auth_settings
from rinnalla_enrollment.domain.events import ALL_EVENTS
from rinnalla_enrollment.domain.identity import IDENTITY_EVENTS
from rinnalla_enrollment.migrations import SCRIPT_LOCATION, VERSION_TABLE_SCHEMA
from rinnalla_enrollment.projections.read_models import UnknownReadModel, enrollment_projections, install_read_models

DESCRIPTION = (
    "Partnerships with municipalities, teams and their mentors, the selection and enrolment of children, "
    "and the consent register. Commands take an Idempotency-Key header; personal-data routes need X-Purpose."
)


def create_app(
    settings: RuntimeSettings, *, enrollment: Enrollment | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    """The API. With `enrollment` given (tests), the caller owns it; otherwise the app opens its own."""
    service = enrollment or Enrollment.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            if enrollment is None:
                await service.close()

    app = create_service_app(
        SERVICE_NAME,
        settings,
        routers=[command_router(), read_router(), erasure_router(), enrollment_audit_router()],
        readiness_checks=server_checks(settings),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.enrollment = service
    install_security(
        app,
        service=SERVICE_NAME,
        settings=auth or auth_settings(),
        audit_log=service.audit_log,
        max_body_bytes=settings.max_request_body_bytes,
    )
    install_error_handlers(app)
    return app


async def migrate(settings: RuntimeSettings) -> None:
    """The Alembic revisions, then the read models' first generation and the dashboard views over it."""
    dsn = settings.require_database_dsn()
    await upgrade_database(SCRIPT_LOCATION, dsn, version_table_schema=VERSION_TABLE_SCHEMA)
    conn = await asyncpg.connect(dsn)
    try:
        await install_read_models(conn, EVENT_SCHEMA, enrollment_projections())
    finally:
        await conn.close()


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    """Until `stop` is set: the relay publishes the event store to JetStream, and one runner per read
    model applies the stream to it. If one of them fails, the others stop too and the error is raised."""
    async with open_enrollment(settings) as enrollment, _jetstream(settings) as js:
        await ensure_stream(js, enrollment.subjects, SERVICE_NAME, replicas=settings.nats_stream_replicas)
        relay = enrollment.relay(nats_connector(settings.require_nats_url(), name=f"rinnalla-{SERVICE_NAME}-relay"))
        tasks: dict[str, StoppableTask] = {"relay": relay.run}
        for projection in enrollment.read_models.projections:
            tasks[f"projection:{projection.name}"] = enrollment.read_models.runner(projection, js).run
        if settings.retention_enabled:  # off unless enabled: the job erases for real (see retention_runner.py)
            tasks["retention"] = retention_task(enrollment, RetentionSettings())
        own_stop = asyncio.Event()  # a failing task stops its siblings, not whoever passed `stop`
        tasks["stop"] = lambda own: _forward(stop, own)
        code = await run_until_stopped(
            tasks, stop=own_stop, grace_seconds=settings.shutdown_grace_seconds, handle_signals=False
        )
    if code != EXIT_OK:
        raise WorkerFailed("a task of the enrollment worker failed (see the log); the others were stopped")


class WorkerFailed(RuntimeError):
    pass


async def _forward(outer: asyncio.Event, inner: asyncio.Event) -> None:
    waiters = [asyncio.create_task(outer.wait()), asyncio.create_task(inner.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    inner.set()


@asynccontextmanager
async def _jetstream(settings: RuntimeSettings) -> AsyncIterator[Any]:
    client = await connect_nats(settings)
    try:
        yield client.jetstream()
    finally:
        await client.close()


async def rebuild_projection(settings: RuntimeSettings, name: str, on_progress: ProgressCallback) -> None:
    """Blue/green: readers keep the current generation until the new one has caught up with the stream."""
    async with open_enrollment(settings) as enrollment, _jetstream(settings) as js:
        try:
            projection = enrollment.read_models.named(name)
        except UnknownReadModel as exc:
            raise UnknownProjection(str(exc)) from None
        await enrollment.read_models.rebuild(projection.name, js, on_progress)


async def projection_lag(settings: RuntimeSettings) -> Mapping[str, int]:
    """Per read model: events committed to the store that it has not applied yet."""
    async with open_enrollment(settings) as enrollment, _jetstream(settings) as js:
        return await enrollment.projection_lag(js)


async def load_demo_data(settings: RuntimeSettings) -> None:
    """Writes the demo data set; the worker projects it."""
    from rinnalla_enrollment.demo import load_demo

    async with open_enrollment(settings) as enrollment:
        await load_demo(enrollment)


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name=SERVICE_NAME,
        default_port=DEFAULT_PORT,
        create_app=create_app,
        run_worker=run_worker,
        migrate=migrate,
        load_demo_data=load_demo_data,
        rebuild_projection=rebuild_projection,
        projection_lag=projection_lag,
        projection_names=tuple(projection.name for projection in enrollment_projections()),
        # SubjectErased is exported once, here: enrollment is the service whose log announces erasures.
        event_classes=(*ALL_EVENTS, *IDENTITY_EVENTS, SubjectErased),
        description="Partnerships, teams, mentors, selection and enrolment of children, consents",
    )
