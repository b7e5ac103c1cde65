"""What a service imports from `rinnalla_events`: one name per thing, importable in any order, inert."""

from __future__ import annotations

import ast
import inspect
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import rinnalla_events


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(rinnalla_events.__path__, "rinnalla_events."))


def test_every_public_name_is_there_and_is_what_its_module_defines() -> None:
    assert len(set(rinnalla_events.__all__)) == len(rinnalla_events.__all__)
    for name in rinnalla_events.__all__:
        value = getattr(rinnalla_events, name)
        assert not inspect.ismodule(value), f"rinnalla_events.{name} is a module, not the API's {name}"
    assert inspect.isfunction(rinnalla_events.rebuild)  # the function, although a module has the same name


def test_no_two_public_classes_of_the_library_share_a_name() -> None:
    homes: dict[str, set[str]] = {}
    for module_name in _modules():
        module = sys.modules.get(module_name) or __import__(module_name, fromlist=["_"])
        for name, value in vars(module).items():
            if inspect.isclass(value) and not name.startswith("_") and value.__module__ == module_name:
                homes.setdefault(name, set()).add(module_name)
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}


def test_the_library_s_modules_import_each_other_by_module_never_through_the_package() -> None:
    """Importing the package imports its modules; one that imported from the package would be a cycle
    waiting for the order of the package's imports to change."""
    through_package = []
    for path in Path(rinnalla_events.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "rinnalla_events" and path.name != "__init__.py":
                through_package.append(path.name)
            if isinstance(node, ast.Import) and any(alias.name == "rinnalla_events" for alias in node.names):
                through_package.append(path.name)
    assert through_package == []


def test_importing_the_package_and_every_module_builds_nothing() -> None:
    """In a fresh interpreter, as a service starts: no import cycle, no metric registered, no thread started.

    Importing any module runs the package first, which imports its modules before defining its names: a
    module that imported from the package instead of from a module would fail here.
    """
    script = textwrap.dedent(
        f"""
        import importlib, sys, threading
        from prometheus_client import REGISTRY

        for name in ["rinnalla_events", *{_modules()!r}]:
            importlib.import_module(name)
        assert "sqlalchemy" not in sys.modules  # seconds of start-up, for the services that use it only
        assert [m.name for m in REGISTRY.collect() if m.name.startswith(("rinnalla", "projection"))] == []
        assert threading.active_count() == 1, threading.enumerate()
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_a_domain_module_that_imports_the_event_base_pulls_in_no_driver() -> None:
    """The package loads a name's module on first use: a pure domain module importing `DomainEvent` and
    `Personal` does not load asyncpg, nats or the relay, and stays fast to import."""
    script = textwrap.dedent(
        """
        import sys
        from rinnalla_events import DomainEvent, Personal
        loaded = {"asyncpg", "nats", "rinnalla_events._relay", "rinnalla_events._store"} & set(sys.modules)
        assert loaded == set(), loaded
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_the_modules_behind_the_api_are_private() -> None:
    public = {name.rsplit(".", 1)[1] for name in _modules() if not name.rsplit(".", 1)[1].startswith("_")}
    assert public == {"testkit", "sample_events", "sample_projection"}
