"""Entry points: the API app, the worker, migrations and the CLI's operations (`service_spec`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.migrations import upgrade_database
from rinnalla_runtime.readiness import postgres_check
from rinnalla_runtime.service import ProgressCallback, ServiceSpec, UnknownProjection
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings, install_security

from rinnalla_enrollment.adapters.audit_http import enrollment_audit_router
from rinnalla_enrollment.adapters.erasure_http import erasure_router
from rinnalla_enrollment.adapters.errors import install_error_handlers
from rinnalla_enrollment.adapters.http import command_router
from rinnalla_enrollment.adapters.read_http import read_router
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment
from rinnalla_enrollment.config import DEFAULT_PORT, SERVICE_NAME, auth_settings
from rinnalla_enrollment.domain.events import ALL_EVENTS
from rinnalla_enrollment.migrations import SCRIPT_LOCATION, VERSION_TABLE_SCHEMA
from rinnalla_enrollment.projections.tables import PROJECTION_NAME

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
        readiness_checks={"postgres": postgres_check(settings.require_database_dsn())},
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
    await upgrade_database(
        SCRIPT_LOCATION, settings.require_database_dsn(), version_table_schema=VERSION_TABLE_SCHEMA
    )


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    """Keeps the read model up to date with the log until `stop` is set."""
    async with open_enrollment(settings) as enrollment:
        await enrollment.projector.run(stop)


async def rebuild_projection(settings: RuntimeSettings, name: str, on_progress: ProgressCallback) -> None:
    if name != PROJECTION_NAME:
        raise UnknownProjection(f"the enrollment service has one projection, {PROJECTION_NAME!r}, not {name!r}")
    async with open_enrollment(settings) as enrollment:
        await enrollment.projector.rebuild(on_progress)


async def projection_lag(settings: RuntimeSettings) -> Mapping[str, int]:
    async with open_enrollment(settings) as enrollment:
        return {PROJECTION_NAME: await enrollment.projector.lag()}


async def load_demo_data(settings: RuntimeSettings) -> None:
    from rinnalla_enrollment.demo import load_demo

    async with open_enrollment(settings) as enrollment:
        await load_demo(enrollment)
        await enrollment.projector.catch_up()


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
        projection_names=(PROJECTION_NAME,),
        event_classes=ALL_EVENTS,
        description="Partnerships, teams, mentors, selection and enrolment of children, consents",
    )
