"""`rinnalla stack up`: the whole system on this machine."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rinnalla_runtime.logging import configure_logging
from rinnalla_runtime.servers import PortInUse
from rinnalla_runtime.settings import RuntimeSettings, ServersNotConfigured
from rinnalla_runtime.stack import run_stack
from rinnalla_runtime.telemetry import configure_log_export, configure_tracing

from rinnalla_cli.commands.tokens import DEV_KEY_PATH_VARIABLE
from rinnalla_cli.context import fail, run, state

stack_app = typer.Typer(help="The whole system on this machine.", no_args_is_help=True)

_AUTH_KEY_SOURCES = ("RINNALLA_AUTH_JWKS_URL", "RINNALLA_AUTH_PUBLIC_KEY_PEM", DEV_KEY_PATH_VARIABLE)


def trust_development_tokens(settings: RuntimeSettings) -> None:
    """Unless an identity provider is configured, the services trust `rinnalla token mint`'s keys.

    The services read RINNALLA_AUTH_* when they build their auth settings, so the defaults go into this
    process's environment before any service is created.
    """
    if any(os.environ.get(name) for name in _AUTH_KEY_SOURCES):
        return
    from rinnalla_security import DEV_AUDIENCE, DEV_ISSUER

    os.environ[DEV_KEY_PATH_VARIABLE] = str(settings.dev_key_dir.resolve())
    os.environ.setdefault("RINNALLA_AUTH_ISSUER", DEV_ISSUER)
    os.environ.setdefault("RINNALLA_AUTH_AUDIENCE", DEV_AUDIENCE)


@stack_app.command("up")
def up(
    ctx: typer.Context,
    demo_data: Annotated[bool, typer.Option(help="Load the demo data set (idempotent).")] = True,
) -> None:
    """Start PostgreSQL and NATS (embedded unless DATABASE_URL/NATS_URL are set), migrate, load demo data,
    and run every service's API and worker until Ctrl-C."""
    cli = state(ctx)
    settings = cli.settings(demo_data=demo_data)
    configure_logging("debug" if cli.verbose else settings.log_level, settings.log_format)
    configure_tracing("rinnalla-stack", settings.otel_exporter)
    configure_log_export("rinnalla-stack", settings.otel_exporter)
    trust_development_tokens(settings)
    try:
        code = run(run_stack(settings, cli.specs))
    except (PortInUse, ServersNotConfigured, OSError) as exc:
        fail(str(exc))
    raise typer.Exit(code)
