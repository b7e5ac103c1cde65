"""`rinnalla schemas export [--check]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rinnalla_cli.context import fail, state
from rinnalla_cli.event_schemas import SchemaExportError, render_event_schemas, write_event_schemas
from rinnalla_cli.event_schemas import compare_event_schemas as compare

schemas_app = typer.Typer(help="JSON Schemas of the events each service publishes.", no_args_is_help=True)


@schemas_app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="Directory of the schema files.")] = Path("docs/events"),
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if the files differ from the code (for CI).")
    ] = False,
) -> None:
    """Write docs/events: the envelope, <event_type>.v<n>.json per event, <service>.asyncapi.json per publisher."""
    console = Console(soft_wrap=True)
    try:
        rendered = render_event_schemas(state(ctx).services())
    except SchemaExportError as exc:
        fail(str(exc))
    differences = compare(rendered, output) if check else write_event_schemas(rendered, output)
    verb = "differs" if check else "updated"
    for label, names in (("missing", differences.missing), ("changed", differences.changed)):
        for name in names:
            console.print(f"{label:8} {output / name}  ({verb})", highlight=False, soft_wrap=True)
    for name in differences.stale:
        reason = "no event has this type" if check else "removed"
        console.print(f"{'stale':8} {output / name}  ({reason})", highlight=False, soft_wrap=True)
    if check and not differences.clean:
        fail("event schemas are out of date: run `rinnalla schemas export` and commit the result")
    summary = f"{len(rendered)} files in {output}" + (" match the code" if check else "")
    console.print(summary, highlight=False, soft_wrap=True)
