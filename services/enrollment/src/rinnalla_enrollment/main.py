"""The enrollment service declared to the service skeleton, and its entry points (`service_spec` for the
stack and the CLI; `create_app`, `migrate`, `run_worker` and the operations for tests and tools)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from fastapi import APIRouter, FastAPI
from rinnalla_events import SubjectErased
from rinnalla_runtime.service import ProgressCallback, ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.worker import StoppableTask
from rinnalla_security import AuthSettings, RetentionSettings
from rinnalla_service import Service, ServiceDefinition

from rinnalla_enrollment.adapters.audit_http import enrollment_audit_router
from rinnalla_enrollment.adapters.consent_http import consent_router
from rinnalla_enrollment.adapters.erasure_http import erasure_router
from rinnalla_enrollment.adapters.errors import install_error_handlers
from rinnalla_enrollment.adapters.http import command_router
from rinnalla_enrollment.adapters.read_http import read_router
from rinnalla_enrollment.adapters.retention_http import retention_router
from rinnalla_enrollment.adapters.retention_runner import retention_task
from rinnalla_enrollment.bootstrap import Enrollment, core
from rinnalla_enrollment.config import DEFAULT_PORT, auth_settings
from rinnalla_enrollment.demo import load_demo
from rinnalla_enrollment.domain.events import ALL_EVENTS
from rinnalla_enrollment.domain.identity import IDENTITY_EVENTS
from rinnalla_enrollment.domain.mentor_lead import MENTOR_LEAD_EVENTS
from rinnalla_enrollment.domain.records import RECORDS_EVENTS
from rinnalla_enrollment.migrations import SCRIPT_LOCATION
from rinnalla_enrollment.projections.read_models import install_dashboard_views

DESCRIPTION = (
    "Partnerships with municipalities, teams and their mentors, the selection and enrolment of children, "
    "and the consent register. Commands take an Idempotency-Key header; personal-data routes need X-Purpose."
)


def routers() -> list[APIRouter]:
    return [
        command_router(),
        read_router(),
        consent_router(),
        erasure_router(),
        enrollment_audit_router(),
        retention_router(),
    ]


def jobs(enrollment: Enrollment) -> Mapping[str, StoppableTask]:
    """The daily erasure of records past their retention period, when RINNALLA_RETENTION_ENABLED is true.

    Off unless enabled, because the job erases for real: a test or demo database with old dates would lose
    records to it the moment a worker starts. Production sets it."""
    if not enrollment.settings.retention_enabled:
        return {}
    return {"retention": retention_task(enrollment, RetentionSettings())}


def definition() -> ServiceDefinition[Enrollment]:
    return ServiceDefinition(
        core=core(),
        default_port=DEFAULT_PORT,
        description=DESCRIPTION,
        summary="Partnerships, teams, mentors, selection and enrolment of children, consents",
        migrations=SCRIPT_LOCATION,
        context=Enrollment.on,
        # SubjectErased is exported once, here: enrollment is the service whose log announces erasures.
        published_events=(*ALL_EVENTS, *IDENTITY_EVENTS, *MENTOR_LEAD_EVENTS, *RECORDS_EVENTS, SubjectErased),
        routers=routers,
        after_read_models=install_dashboard_views,
        jobs=jobs,
        demo_data=load_demo,
        install_app=install_error_handlers,
        auth_settings=auth_settings,
    )


def service() -> Service[Enrollment]:
    return Service(definition())


def service_spec() -> ServiceSpec:
    return service().spec()


def create_app(
    settings: RuntimeSettings, *, enrollment: Enrollment | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    """The API. With `enrollment` given (tests), the caller owns its pool; otherwise the app opens its own."""
    return service().create_app(settings, context=enrollment, auth=auth)


async def migrate(settings: RuntimeSettings) -> None:
    await service().migrate(settings)


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    await service().run_worker(settings, stop)


async def rebuild_projection(settings: RuntimeSettings, name: str, on_progress: ProgressCallback) -> None:
    await service().rebuild_projection(settings, name, on_progress)


async def projection_lag(settings: RuntimeSettings) -> Mapping[str, int]:
    return await service().projection_lag(settings)
