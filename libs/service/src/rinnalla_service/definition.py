"""What a service declares to the skeleton: its name, events, routes, projections, migrations and jobs.

A service keeps only its own logic; `Service(definition)` turns the declaration into the API process, the
worker process and the operations the CLI runs (see `docs/adding-a-service.md`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from rinnalla_events import ConsumedEvent, EventRegistry, Projection
from rinnalla_runtime.worker import StoppableTask
from rinnalla_security import AuthSettings

from rinnalla_service.read_models import AfterInstall

if TYPE_CHECKING:
    from rinnalla_service.runtime import ServiceRuntime


class ServiceContext(Protocol):
    """A service's own composition (its handlers' dependencies), built on the shared runtime."""

    @property
    def runtime(self) -> ServiceRuntime: ...


Context = TypeVar("Context", bound=ServiceContext)


def no_projections() -> Sequence[Projection]:
    return ()


def no_consumed_events() -> Sequence[type[ConsumedEvent]]:
    return ()


@dataclass(frozen=True, kw_only=True)
class ServiceCore:
    """What the shared runtime needs to build a service's event log and read models; the service's
    composition root declares it once, and both its context and its definition use it."""

    name: str
    """Lower-case identifier: the entry point's name, the event store's schema, the settings prefix."""
    registry: Callable[[], EventRegistry]
    """The events this service's log holds, with their upcasters; the runtime adds `rinnalla.SubjectErased`."""
    projections: Callable[[], Sequence[Projection]] = no_projections
    consumed: Callable[[], Sequence[type[ConsumedEvent]]] = no_consumed_events
    """Reader models of other services' events (`ConsumedEvent`), registered under the producers' types."""
    subject_kinds: frozenset[str] | None = None
    """The kinds of person whose personal data this service may read (ADR 0004); None: every kind."""
    read_schema: str | None = None
    """Where the projections' stable views live; `<name>_read` when not given."""
    pool_min_size: int = 1
    pool_max_size: int = 10

    @property
    def schema(self) -> str:
        return self.name

    @property
    def stable_read_schema(self) -> str:
        return self.read_schema or f"{self.name}_read"


def no_routers() -> Sequence[APIRouter]:
    return ()


def no_jobs(context: object) -> Mapping[str, StoppableTask]:
    return {}


@dataclass(frozen=True, kw_only=True)
class ServiceDefinition(Generic[Context]):
    core: ServiceCore
    default_port: int
    description: str
    """The OpenAPI description: what the service owns and the conventions of its API."""
    summary: str
    """One line for listings."""
    migrations: Path
    """The service's Alembic revisions (its event store and its own tables)."""
    context: Callable[[ServiceRuntime], Context]
    """Builds the service's own composition from the runtime (handlers' ports, identity keys)."""
    published_events: Sequence[type[BaseModel]] = ()
    """The events whose JSON Schemas are this service's contract with other services."""
    routers: Callable[[], Sequence[APIRouter]] = no_routers
    """Command and read routes, mounted under /v1."""
    after_read_models: AfterInstall | None = None
    """Runs after migration once the read models exist: views over them for dashboards, grants."""
    jobs: Callable[[Context], Mapping[str, StoppableTask]] = no_jobs
    """Extra worker tasks (scheduled jobs) besides the relay and the projection runners."""
    demo_data: Callable[[Context], Awaitable[None]] | None = None
    """Writes the demo data set through the service's own commands; a second run changes nothing."""
    install_app: Callable[[FastAPI], None] | None = None
    """Service-specific app set-up after security is installed (its error handlers)."""
    auth_settings: Callable[[], AuthSettings] = field(default=AuthSettings)

    @property
    def name(self) -> str:
        return self.core.name


def domainless(
    name: str,
    *,
    default_port: int,
    description: str,
    migrations: Path,
    consumed: Callable[[], Sequence[type[ConsumedEvent]]] = no_consumed_events,
    subject_kinds: frozenset[str] | None = None,
) -> ServiceDefinition[ServiceRuntime]:
    """A service whose domain has not landed: its event store, relay, probes and access control only, and
    the reader models of the events it will consume."""
    return ServiceDefinition(
        core=ServiceCore(name=name, registry=EventRegistry, consumed=consumed, subject_kinds=subject_kinds),
        default_port=default_port,
        description=description,
        summary=description,
        migrations=migrations,
        context=_runtime_itself,
    )


def _runtime_itself(runtime: ServiceRuntime) -> ServiceRuntime:
    return runtime
