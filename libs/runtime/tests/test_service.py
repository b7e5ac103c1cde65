"""Finding services through their entry points."""

from __future__ import annotations

import asyncio
import sys
from importlib.metadata import EntryPoint
from types import ModuleType

import pytest
from fastapi import FastAPI
from rinnalla_runtime import service as service_module
from rinnalla_runtime.service import (
    InvalidServiceEntryPoint,
    ServiceSpec,
    UnknownProjection,
    UnknownService,
    discover_services,
    find_service,
)
from rinnalla_runtime.settings import RuntimeSettings


async def migrate(settings: RuntimeSettings) -> None:
    return None


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    await stop.wait()


def spec(name: str, port: int) -> ServiceSpec:
    return ServiceSpec(
        name=name, default_port=port, create_app=lambda s: FastAPI(), run_worker=run_worker, migrate=migrate
    )


@pytest.fixture
def fake_package(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = ModuleType("fake_rinnalla_services")
    module.caselog_spec = lambda: spec("caselog", 8002)  # type: ignore[attr-defined]
    module.enrollment_spec = spec("enrollment", 8001)  # type: ignore[attr-defined]
    module.misnamed = lambda: spec("billing", 8004)  # type: ignore[attr-defined]
    module.not_a_spec = lambda: "hello"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def install(monkeypatch: pytest.MonkeyPatch, *points: tuple[str, str]) -> None:
    entry_points = [
        EntryPoint(name=name, value=f"fake_rinnalla_services:{attr}", group="rinnalla.services")
        for name, attr in points
    ]
    monkeypatch.setattr(service_module, "entry_points", lambda group: entry_points)


def test_services_are_found_through_entry_points_in_port_order(
    monkeypatch: pytest.MonkeyPatch, fake_package: ModuleType
) -> None:
    install(monkeypatch, ("caselog", "caselog_spec"), ("enrollment", "enrollment_spec"))

    found = discover_services()

    assert [s.name for s in found] == ["enrollment", "caselog"]
    assert find_service("caselog", found).default_port == 8002


@pytest.mark.parametrize(
    ("point", "message"),
    [(("caselog", "misnamed"), "must be equal"), (("billing", "not_a_spec"), "not a ServiceSpec")],
)
def test_a_broken_entry_point_is_reported(
    monkeypatch: pytest.MonkeyPatch, fake_package: ModuleType, point: tuple[str, str], message: str
) -> None:
    install(monkeypatch, point)
    with pytest.raises(InvalidServiceEntryPoint, match=message):
        discover_services()


def test_two_services_with_one_name_are_refused(monkeypatch: pytest.MonkeyPatch, fake_package: ModuleType) -> None:
    install(monkeypatch, ("caselog", "caselog_spec"), ("caselog", "caselog_spec"))
    with pytest.raises(InvalidServiceEntryPoint, match="two services"):
        discover_services()


def test_an_unknown_service_names_the_known_ones() -> None:
    with pytest.raises(UnknownService, match="known: enrollment"):
        find_service("billing", [spec("enrollment", 8001)])


@pytest.mark.parametrize(("name", "port"), [("Enrollment", 8001), ("enrollment", 70000)])
def test_a_spec_checks_its_name_and_port(name: str, port: int) -> None:
    with pytest.raises(ValueError, match=name if port < 65536 else "not a TCP port"):
        spec(name, port)


async def test_the_default_hooks_do_nothing_or_refuse() -> None:
    plain = spec("plain", 8009)
    settings = RuntimeSettings()
    await plain.load_demo_data(settings)
    assert await plain.projection_lag(settings) == {}
    with pytest.raises(UnknownProjection):
        await plain.rebuild_projection(settings, "anything", lambda done, total: None)
