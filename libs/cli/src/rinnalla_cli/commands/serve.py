"""`rinnalla run api SERVICE` and `rinnalla run worker SERVICE`: one process per role, for deployments."""

from __future__ import annotations

import asyncio
import functools
from typing import Annotated

import typer
from rinnalla_runtime.logging import configure_logging
from rinnalla_runtime.service import ServiceSpec, UnknownService
from rinnalla_runtime.serving import bind_socket, serve_app
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.telemetry import configure_log_export, configure_tracing
from rinnalla_runtime.worker import run_until_stopped

from rinnalla_cli.context import EXIT_USAGE, CliState, fail, run, state, with_servers

run_app = typer.Typer(help="Run one service's API or worker in this process (for deployments).", no_args_is_help=True)

ServiceName = Annotated[str, typer.Argument(help="Service to run (see `rinnalla services`).")]


def _prepare(cli: CliState, service: str) -> tuple[ServiceSpec, RuntimeSettings]:
    try:
        spec = cli.service(service)
    except UnknownService as exc:
        fail(str(exc), EXIT_USAGE)
    settings = cli.settings()
    configure_logging("debug" if cli.verbose else settings.log_level, settings.log_format)
    configure_tracing(f"rinnalla-{spec.name}", settings.otel_exporter)
    configure_log_export(f"rinnalla-{spec.name}", settings.otel_exporter)
    return spec, settings


@run_app.command("api")
def api(ctx: typer.Context, service: ServiceName) -> None:
    """Serve the service's HTTP API until SIGTERM."""
    spec, settings = _prepare(state(ctx), service)

    async def serve(resolved: RuntimeSettings) -> int:
        host, port = resolved.service_address(spec.name, spec.default_port)
        sock = bind_socket(host, port)
        app = spec.create_app(resolved)
        task = functools.partial(serve_app, app, sock, grace_seconds=resolved.shutdown_grace_seconds)
        return await run_until_stopped({f"{spec.name}.api": task}, grace_seconds=resolved.shutdown_grace_seconds)

    try:
        code = run(with_servers(settings, serve))
    except OSError as exc:
        fail(str(exc))
    raise typer.Exit(code)


@run_app.command("worker")
def worker(ctx: typer.Context, service: ServiceName) -> None:
    """Run the service's relay, subscriptions and projections until SIGTERM."""
    spec, settings = _prepare(state(ctx), service)

    async def work(resolved: RuntimeSettings) -> int:
        async def task(stop: asyncio.Event) -> None:
            await spec.run_worker(resolved, stop)

        return await run_until_stopped({f"{spec.name}.worker": task}, grace_seconds=resolved.shutdown_grace_seconds)

    raise typer.Exit(run(with_servers(settings, work)))
