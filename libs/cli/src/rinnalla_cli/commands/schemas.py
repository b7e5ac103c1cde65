"""`rinnalla schemas export [--check]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rinnalla_cli.context import fail, state
from rinnalla_cli.event_schemas import SchemaExportError, render_event_schemas, write_event_schemas
from rinnalla_cli.event_schemas import compare_event_schemas as compare
from rinnalla_cli.schema_compat import compare_schema_sets, is_contract
from rinnalla_cli.schema_history import HistoryUnavailable, default_base, files_at, files_now

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


@schemas_app.command("compat")
def compat(
    directory: Annotated[Path, typer.Option(help="Directory of the schema files.")] = Path("docs/events"),
    against: Annotated[
        str | None,
        typer.Option(help="Git revision to compare with; default: before the last commit that changed the folder."),
    ] = None,
) -> None:
    """Exit 1 if a published schema changed incompatibly without a new schema version (see docs/events)."""
    console = Console(soft_wrap=True)
    if not directory.is_dir():
        fail(f"{directory} is not a directory")
    try:
        if against is None:
            base = default_base(directory)
            console.print(f"schemas compat: {base.why}", highlight=False)
            if base.rev is None:
                console.print("nothing to compare with; skipped", highlight=False)
                return
            against = base.rev
        before = files_at(against, directory)
    except HistoryUnavailable as exc:
        fail(str(exc))
    problems = compare_schema_sets(before, files_now(directory))
    for problem in problems:
        console.print(f"incompatible {problem}", highlight=False, soft_wrap=True)
    if problems:
        fail(
            "an incompatible change to a published schema needs a new schema version and an upcaster"
            " (docs/events/README.md)"
        )
    compared = sum(1 for name in before if is_contract(name))
    console.print(f"{compared} published schemas at {against[:12]}: every change is compatible", highlight=False)
