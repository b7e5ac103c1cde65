"""The network service declared to the service skeleton, and its entry points."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial

from fastapi import APIRouter, FastAPI
from rinnalla_runtime.service import ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.worker import StoppableTask
from rinnalla_security import AuthSettings
from rinnalla_service import Service, ServiceDefinition

from rinnalla_network.adapters.deadline_runner import deadline_task
from rinnalla_network.adapters.errors import install_error_handlers
from rinnalla_network.adapters.http import command_router
from rinnalla_network.adapters.metrics import install_overdue_gauge
from rinnalla_network.adapters.read_http import read_router
from rinnalla_network.bootstrap import Network, core
from rinnalla_network.config import DEFAULT_PORT
from rinnalla_network.demo import demo_referrals, load_demo
from rinnalla_network.domain.events import ALL_EVENTS
from rinnalla_network.migrations import SCRIPT_LOCATION
from rinnalla_network.projections.dashboards import install_dashboard_views

DESCRIPTION = (
    "The partner-organisation directory, referrals to social and health services with deadlines and "
    "outcomes, scoped by the consent rules at the moment of sending. Commands take an Idempotency-Key "
    "header; personal-data routes need X-Purpose."
)


def routers() -> list[APIRouter]:
    return [command_router(), read_router()]


def jobs(network: Network) -> Mapping[str, StoppableTask]:
    """The scheduled deadline check (reminders, escalations, expiry, sharing stopped); with demo data on, the
    demo referrals once enrollment's demo children reach network's projection (the stack loads every demo
    before any worker runs)."""
    tasks: dict[str, StoppableTask] = {"deadlines": deadline_task(network)}
    if network.runtime.settings.demo_data:
        tasks["demo-referrals"] = partial(demo_referrals, network)
    return tasks


def install_app(app: FastAPI) -> None:
    """Network's error answers and its gauge of overdue referrals on the API's /metrics."""
    install_error_handlers(app)
    install_overdue_gauge(app)


def definition() -> ServiceDefinition[Network]:
    return ServiceDefinition(
        core=core(),
        default_port=DEFAULT_PORT,
        description=DESCRIPTION,
        summary="Partner directory and closed-loop referrals",
        migrations=SCRIPT_LOCATION,
        context=Network.on,
        published_events=ALL_EVENTS,
        routers=routers,
        jobs=jobs,
        after_read_models=install_dashboard_views,
        demo_data=load_demo,
        install_app=install_app,
    )


def service() -> Service[Network]:
    return Service(definition())


def service_spec() -> ServiceSpec:
    return service().spec()


def create_app(
    settings: RuntimeSettings, *, network: Network | None = None, auth: AuthSettings | None = None
) -> FastAPI:
    return service().create_app(settings, context=network, auth=auth)


async def migrate(settings: RuntimeSettings) -> None:
    await service().migrate(settings)


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    await service().run_worker(settings, stop)
