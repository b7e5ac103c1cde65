"""`rinnalla projections rebuild SERVICE NAME` and `rinnalla projections lag`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from rinnalla_runtime.service import UnknownService
from rinnalla_runtime.settings import RuntimeSettings

from rinnalla_cli.context import EXIT_USAGE, fail, log_to_stderr, run, state, with_servers

projections_app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)


class EventRateColumn(ProgressColumn):
    """Events applied per second, averaged over the last seconds."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- events/s" if speed is None else f"{speed:,.0f} events/s", style="progress.data.speed")


def progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        EventRateColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
    )


@projections_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="Service that owns the projection.")],
    name: Annotated[str, typer.Argument(help="Projection to rebuild.")],
) -> None:
    """Rebuild one read model from the log; the old one serves until the new one has caught up."""
    cli = state(ctx)
    log_to_stderr(cli.verbose)
    try:
        spec = cli.service(service)
    except UnknownService as exc:
        fail(str(exc), EXIT_USAGE)
    if name not in spec.projection_names:
        known = ", ".join(spec.projection_names) or "none"
        fail(f"{service} has no projection named {name!r} (known: {known})", EXIT_USAGE)
    console = Console()

    async def rebuild_with_progress(settings: RuntimeSettings) -> None:
        with progress_bar(console) as progress:
            task = progress.add_task(f"{service}.{name}", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=max(total, done))

            await spec.rebuild_projection(settings, name, on_progress)
            finished = progress.tasks[0]
            progress.update(task, total=finished.completed)
        console.print(f"{service}.{name}: rebuilt from {int(finished.completed):,} events", highlight=False)

    run(with_servers(cli.settings(), rebuild_with_progress))


@projections_app.command("lag")
def lag(ctx: typer.Context) -> None:
    """How many events each projection still has to apply."""
    cli = state(ctx)
    log_to_stderr(cli.verbose)
    specs = cli.services()

    async def collect(settings: RuntimeSettings) -> list[tuple[str, str, int | None]]:
        rows: list[tuple[str, str, int | None]] = []
        for spec in specs:
            lags = dict(await spec.projection_lag(settings))
            names = sorted({*spec.projection_names, *lags})
            rows += [(spec.name, projection, lags.get(projection)) for projection in names]
        return rows

    rows = run(with_servers(cli.settings(), collect))
    table = Table("service", "projection", "events behind", title="Projection lag")
    for service, projection, behind in rows:
        shown = "unknown" if behind is None else f"{behind:,}"
        style = "green" if behind == 0 else "yellow"
        table.add_row(service, projection, Text(shown, style=style))
    if not rows:
        table.add_row("(no projections)", "", "")
    Console().print(table)
