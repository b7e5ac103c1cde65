"""The caselog service declared to the service skeleton, and its entry points (`service_spec` for the stack
and the CLI; `create_app`, `migrate`, `run_worker` for tests and tools)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, FastAPI
from rinnalla_runtime.service import ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings
from rinnalla_service import Service, ServiceDefinition

from rinnalla_caselog.adapters.errors import install_error_handlers
from rinnalla_caselog.adapters.http import command_router
from rinnalla_caselog.adapters.read_http import read_router
from rinnalla_caselog.adapters.research_http import research_router
from rinnalla_caselog.adapters.views_http import views_router
from rinnalla_caselog.bootstrap import Caselog, core
from rinnalla_caselog.config import DEFAULT_PORT
from rinnalla_caselog.demo import load_demo
from rinnalla_caselog.domain.events import ALL_EVENTS
from rinnalla_caselog.migrations import SCRIPT_LOCATION
from rinnalla_caselog.projections.dashboards import install_dashboard_views

DESCRIPTION = (
    "The mentor's work per child and team: contacts with encrypted notes and outcome areas. Who may write "
    "follows enrollment's log: the mentor of the child's team on the entry's date, or a coordinator. Commands "
    "take an Idempotency-Key header; personal-data routes need X-Purpose."
)


def routers() -> list[APIRouter]:
    return [command_router(), read_router(), views_router(), research_router()]


def definition() -> ServiceDefinition[Caselog]:
    return ServiceDefinition(
        core=core(),
        default_port=DEFAULT_PORT,
        description=DESCRIPTION,
        summary="Contacts, with who may write decided from enrollment's log",
        migrations=SCRIPT_LOCATION,
        context=Caselog.on,
        published_events=ALL_EVENTS,
        routers=routers,
        after_read_models=install_dashboard_views,
        demo_data=load_demo,
        install_app=install_error_handlers,
    )


def service() -> Service[Caselog]:
    return Service(definition())


def service_spec() -> ServiceSpec:
    return service().spec()


def create_app(
    settings: RuntimeSettings, *, caselog: Caselog | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    return service().create_app(settings, context=caselog, auth=auth)


async def migrate(settings: RuntimeSettings) -> None:
    await service().migrate(settings)


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    await service().run_worker(settings, stop)
