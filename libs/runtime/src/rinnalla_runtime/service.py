"""What a service offers the stack and the CLI, and how they find it without importing it by name.

Each service package declares one entry point in the `rinnalla.services` group, pointing at a function
that returns its `ServiceSpec` (a `ServiceSpec` object also works, but a function keeps the import of
the package free of work):

    [project.entry-points."rinnalla.services"]
    enrollment = "rinnalla_enrollment.main:service_spec"

The entry point's name must equal `ServiceSpec.name`. Every hook takes the `RuntimeSettings` the caller
built, with the server URLs and the master key already resolved.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from pydantic import BaseModel

from rinnalla_runtime.settings import RuntimeSettings

ENTRY_POINT_GROUP = "rinnalla.services"
_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")

StoppableWorker = Callable[[RuntimeSettings, asyncio.Event], Awaitable[None]]

ProgressCallback = Callable[[int, int], None]
"""on_progress(done, total): events applied so far, and events in the log when the rebuild started."""


class UnknownService(LookupError):
    pass


class UnknownProjection(LookupError):
    pass


class InvalidServiceEntryPoint(TypeError):
    pass


async def no_demo_data(settings: RuntimeSettings) -> None:
    """For a service that has no demo data."""


async def no_projection_lag(settings: RuntimeSettings) -> dict[str, int]:
    """For a service that has no projections."""
    return {}


async def no_placeholder(settings: RuntimeSettings, event_id: UUID) -> int:
    raise LookupError(f"this service has no event store: there is no event {event_id} to stand in for")


async def no_projection_to_rebuild(settings: RuntimeSettings, name: str, on_progress: ProgressCallback) -> None:
    raise UnknownProjection(f"this service has no projection named {name!r}")


@dataclass(frozen=True, kw_only=True)
class ServiceSpec:
    """One service: its API factory, its worker, and the operations the CLI runs on it."""

    name: str
    """Stable, lower-case identifier (`enrollment`); also the entry point's name and settings prefix."""
    default_port: int
    """API port unless RINNALLA_<NAME>_PORT says otherwise."""
    create_app: Callable[[RuntimeSettings], FastAPI]
    """Builds the FastAPI app (normally via `rinnalla_runtime.app.create_service_app`)."""
    run_worker: StoppableWorker
    """Relay, subscriptions and projections until the event is set; then finishes in-flight work and returns."""
    migrate: Callable[[RuntimeSettings], Awaitable[None]]
    """Brings the service's schema to the newest revision; safe to run again and concurrently."""
    load_demo_data: Callable[[RuntimeSettings], Awaitable[None]] = no_demo_data
    """Writes the demo data set through the service's own commands; a second run changes nothing."""
    rebuild_projection: Callable[[RuntimeSettings, str, ProgressCallback], Awaitable[None]] = no_projection_to_rebuild
    """Rebuilds the named read model from the log (blue/green), calling on_progress(done, total)."""
    projection_lag: Callable[[RuntimeSettings], Awaitable[Mapping[str, int]]] = no_projection_lag
    """Events each projection still has to apply: {projection name: events behind}."""
    publish_placeholder: Callable[[RuntimeSettings, UUID], Awaitable[int]] = no_placeholder
    """Publishes an `EventTooLargeForBus` placeholder in place of the event the relay is stopped at (ADR 0006);
    returns the placeholder's size."""
    projection_names: Sequence[str] = ()
    event_classes: Sequence[type[BaseModel]] = ()
    """The events this service publishes (their JSON Schemas are its contract with other services)."""
    consumed_events: Sequence[type[BaseModel]] = ()
    """Its reader models of other services' events, checked against the producers' published schemas."""
    subject_kinds: frozenset[str] | None = None
    """The kinds of person whose personal data it may read (ADR 0004); None: every kind."""
    description: str = ""
    audit_verify: Callable[[RuntimeSettings], Awaitable[Sequence[Mapping[str, Any]]]] | None = None
    """The audit chains checked row by row and against the signed checkpoints: one report per log."""
    audit_checkpoint: Callable[[RuntimeSettings], Awaitable[Sequence[Mapping[str, Any]]]] | None = None
    """Publishes a signed checkpoint of each audit chain's head now; returns what it published."""

    def __post_init__(self) -> None:
        if not _SERVICE_NAME.match(self.name):
            raise ValueError(f"service name {self.name!r} must be a short lower-case identifier")
        if not 1 <= self.default_port <= 65535:
            raise ValueError(f"service {self.name}: default_port {self.default_port} is not a TCP port")


def _load(entry_point: EntryPoint) -> ServiceSpec:
    loaded = entry_point.load()
    spec = loaded if isinstance(loaded, ServiceSpec) else loaded() if callable(loaded) else loaded
    if not isinstance(spec, ServiceSpec):
        raise InvalidServiceEntryPoint(
            f"entry point {entry_point.name} = {entry_point.value} gives {type(spec).__name__}, not a ServiceSpec"
        )
    if spec.name != entry_point.name:
        raise InvalidServiceEntryPoint(
            f"entry point {entry_point.name} = {entry_point.value} returns the service named {spec.name!r}; "
            "the two names must be equal"
        )
    return spec


def check_unique(specs: Iterable[ServiceSpec]) -> list[ServiceSpec]:
    """The specs ordered by port then name; two services with one name are a packaging mistake."""
    by_name: dict[str, ServiceSpec] = {}
    for spec in specs:
        if spec.name in by_name:
            raise InvalidServiceEntryPoint(f"two services are named {spec.name!r}")
        by_name[spec.name] = spec
    return sorted(by_name.values(), key=lambda spec: (spec.default_port, spec.name))


def discover_services(group: str = ENTRY_POINT_GROUP) -> list[ServiceSpec]:
    """Every installed service, found through its entry point."""
    return check_unique(_load(entry_point) for entry_point in entry_points(group=group))


def find_service(name: str, specs: Sequence[ServiceSpec] | None = None) -> ServiceSpec:
    available = list(specs) if specs is not None else discover_services()
    for spec in available:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in available) or "none installed"
    raise UnknownService(f"no service named {name!r} (known: {known})")
