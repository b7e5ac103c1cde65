"""`rinnalla migrate [--service X]`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rinnalla_runtime.service import UnknownService
from rinnalla_runtime.settings import RuntimeSettings

from rinnalla_cli.context import EXIT_USAGE, fail, log_to_stderr, run, state, with_servers


def migrate(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option("--service", "-s", help="Only this service.")] = None,
) -> None:
    """Bring every service's database schema (or one's) to the newest revision."""
    cli = state(ctx)
    log_to_stderr(cli.verbose)
    try:
        specs = [cli.service(service)] if service else cli.services()
    except UnknownService as exc:
        fail(str(exc), EXIT_USAGE)
    console = Console()

    async def migrate_all(settings: RuntimeSettings) -> None:
        for spec in specs:
            await spec.migrate(settings)
            console.print(f"{spec.name}: schema is up to date", highlight=False)

    run(with_servers(cli.settings(), migrate_all))
