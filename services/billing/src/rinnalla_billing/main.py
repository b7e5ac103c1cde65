"""The billing service declared to the service skeleton, and its entry points (`service_spec` for the stack
and the CLI; `create_app`, `migrate`, `run_worker` for tests and tools)."""

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

from rinnalla_billing.adapters.erp_http import erp_router
from rinnalla_billing.adapters.errors import install_error_handlers
from rinnalla_billing.adapters.finance_http import finance_router
from rinnalla_billing.adapters.http import command_router
from rinnalla_billing.adapters.read_http import read_router
from rinnalla_billing.adapters.sib_http import sib_read_router
from rinnalla_billing.bootstrap import DEFAULT_PORT, Billing, core
from rinnalla_billing.demo import demo_invoicing, load_demo
from rinnalla_billing.domain.catalogue import BILLING_EVENTS
from rinnalla_billing.migrations import SCRIPT_LOCATION
from rinnalla_billing.projections.read_models import install_dashboard_views

DESCRIPTION = (
    "Billing agreements that follow enrollment's partnerships, invoices and credit notes to municipalities and "
    "wellbeing services counties (numbered without gaps per seller and year, Finnish and RF payment "
    "references), their delivery and payments. Amounts are integer euro cents, rounded half up once. "
    "Commands take an Idempotency-Key header."
)


def routers() -> list[APIRouter]:
    return [command_router(), read_router(), erp_router(), sib_read_router(), finance_router()]


def jobs(billing: Billing) -> Mapping[str, StoppableTask]:
    """With demo data on: invoices enrollment's demo partnerships once their facts reach billing's projection
    (the stack loads every demo before any worker runs)."""
    if not billing.runtime.settings.demo_data:
        return {}
    return {"demo-invoicing": partial(demo_invoicing, billing)}


def definition() -> ServiceDefinition[Billing]:
    return ServiceDefinition(
        core=core(),
        default_port=DEFAULT_PORT,
        description=DESCRIPTION,
        summary="Billing agreements, invoices and credit notes, payments",
        migrations=SCRIPT_LOCATION,
        context=Billing.on,
        published_events=BILLING_EVENTS,
        routers=routers,
        after_read_models=install_dashboard_views,
        jobs=jobs,
        demo_data=load_demo,
        install_app=install_error_handlers,
    )


def service() -> Service[Billing]:
    return Service(definition())


def service_spec() -> ServiceSpec:
    return service().spec()


def create_app(settings: RuntimeSettings, *, billing: Billing | None = None, auth: AuthSettings | None = None) -> (
    FastAPI
):
    return service().create_app(settings, context=billing, auth=auth)


async def migrate(settings: RuntimeSettings) -> None:
    await service().migrate(settings)


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    await service().run_worker(settings, stop)
