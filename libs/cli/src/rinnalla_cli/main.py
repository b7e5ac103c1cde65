"""The `rinnalla` command: operate the stack, the schemas, the read models and development tokens.

Every command works against DATABASE_URL / NATS_URL when they are set, and otherwise against the
embedded servers of the data directory (a running `rinnalla stack up`'s, or started for the command).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rinnalla_cli.commands.audit import audit_app
from rinnalla_cli.commands.migrate import migrate
from rinnalla_cli.commands.projections import projections_app
from rinnalla_cli.commands.relay import relay_app
from rinnalla_cli.commands.schemas import schemas_app
from rinnalla_cli.commands.serve import run_app
from rinnalla_cli.commands.stack import stack_app
from rinnalla_cli.commands.tokens import token_app
from rinnalla_cli.context import CliState, state

app = typer.Typer(
    name="rinnalla",
    help="Rinnalla operations: stack, migrations, projections, relay, event schemas, dev tokens, audit logs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold keys and personal data
)


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data directory (embedded servers, dev keys); default RINNALLA_DATA_DIR or ./var."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens (to stderr).")] = False,
) -> None:
    cli = ctx.ensure_object(CliState)
    if data_dir is not None:
        cli.data_dir = data_dir
    cli.verbose = cli.verbose or verbose


@app.command("services")
def services(ctx: typer.Context) -> None:
    """The installed services, their ports and projections."""
    cli = state(ctx)
    settings = cli.settings()
    table = Table("service", "API", "projections", "events published", title="Services")
    for spec in cli.services():
        host, port = settings.service_address(spec.name, spec.default_port)
        table.add_row(spec.name, f"{host}:{port}", ", ".join(spec.projection_names), str(len(spec.event_classes)))
    Console().print(table)


app.command("migrate")(migrate)
app.add_typer(stack_app, name="stack")
app.add_typer(projections_app, name="projections")
app.add_typer(relay_app, name="relay")
app.add_typer(token_app, name="token")
app.add_typer(schemas_app, name="schemas")
app.add_typer(run_app, name="run")
app.add_typer(audit_app, name="audit")
