"""What every command shares: the settings, the services, logging to stderr, and how errors end a command."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rinnalla_runtime.logging import configure_logging
from rinnalla_runtime.servers import provide_servers
from rinnalla_runtime.service import ServiceSpec, discover_services, find_service
from rinnalla_runtime.settings import RuntimeSettings

T = TypeVar("T")

EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass
class CliState:
    """Options of the top-level command. Tests pass one as `obj` with the services to use."""

    specs: Sequence[ServiceSpec] | None = None
    data_dir: Path | None = None
    verbose: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)

    def settings(self, **overrides: Any) -> RuntimeSettings:
        given = {**self.overrides, **overrides}
        if self.data_dir is not None:
            given["data_dir"] = self.data_dir
        return RuntimeSettings(**given)

    def services(self) -> list[ServiceSpec]:
        return list(self.specs) if self.specs is not None else discover_services()

    def service(self, name: str) -> ServiceSpec:
        return find_service(name, self.services())


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    return found if found is not None else ctx.ensure_object(CliState)


def err_console() -> Console:
    return Console(stderr=True)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    err_console().print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def log_to_stderr(verbose: bool) -> None:
    """Commands print their results on stdout; their logs go to stderr, terse unless --verbose."""
    configure_logging("debug" if verbose else "warning", "console", stream=sys.stderr)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


async def with_servers(settings: RuntimeSettings, action: Callable[[RuntimeSettings], Awaitable[T]]) -> T:
    """Run `action` with DATABASE_URL/NATS_URL from the environment, a running stack, or embedded servers."""
    async with provide_servers(settings) as resolved:
        return await action(resolved)
