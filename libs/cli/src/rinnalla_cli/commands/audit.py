"""`rinnalla audit verify`, `rinnalla audit checkpoint` and `rinnalla audit keygen`: the access and
disclosure logs' keyed chains and the signed checkpoints of their heads kept on NATS."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rinnalla_runtime.service import ServiceSpec, UnknownService
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import new_signing_key, public_key_text, signing_key_text

from rinnalla_cli.context import EXIT_FAILED, EXIT_USAGE, CliState, fail, log_to_stderr, run, state, with_servers

audit_app = typer.Typer(
    help="The access and disclosure logs: verify their chains, publish signed checkpoints.", no_args_is_help=True
)

ServiceOption = Annotated[
    str | None, typer.Option("--service", "-s", help="Only this service (default: every service).")
]


def _specs(cli: CliState, service: str | None) -> list[ServiceSpec]:
    try:
        specs = [cli.service(service)] if service else cli.services()
    except UnknownService as exc:
        fail(str(exc), EXIT_USAGE)
    return specs


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    service: ServiceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON report per line instead of a table.")] = False,
) -> None:
    """Check the chains row by row (with the chain key) and against every signed checkpoint on NATS.
    Exits 1 when a chain has a problem or the checkpoints could not be read."""
    cli = state(ctx)
    log_to_stderr(cli.verbose)
    specs = _specs(cli, service)
    console = Console()

    async def verify_all(settings: RuntimeSettings) -> list[tuple[str, Mapping[str, Any]]]:
        found: list[tuple[str, Mapping[str, Any]]] = []
        for spec in specs:
            if spec.audit_verify is None:
                continue
            found += [(spec.name, report) for report in await spec.audit_verify(settings)]
        return found

    reports = run(with_servers(cli.settings(), verify_all))
    if as_json:
        for name, report in reports:
            console.print_json(json.dumps({"service": name, **report}))
    else:
        _print_reports(console, reports)
    if any(not report["ok"] or not report["anchored"] for _, report in reports):
        raise typer.Exit(EXIT_FAILED)


def _print_reports(console: Console, reports: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    table = Table("service", "log", "rows", "head", "checkpoints", "result", title="Audit chains")
    for name, report in reports:
        if not report["anchored"]:
            result = "[red]checkpoints unreadable[/]" if report["ok"] else "[red]BROKEN[/], checkpoints unreadable"
        else:
            result = "ok" if report["ok"] else "[red]BROKEN[/]"
        head = "-" if report["head_seq"] is None else f"{report['head_seq']} {str(report['head_hash'])[:12]}"
        checked = str(report["checkpoints_checked"])
        table.add_row(name, report["log"], str(report["rows_checked"]), head, checked, result)
    console.print(table)
    for name, report in reports:
        for problem in report["problems"]:
            console.print(f"{name} {report['log']}: {problem['kind']}: {problem['detail']}", highlight=False)


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context, service: ServiceOption = None) -> None:
    """Publish a signed checkpoint of each audit chain's head now (the workers do it periodically)."""
    cli = state(ctx)
    log_to_stderr(cli.verbose)
    specs = _specs(cli, service)
    console = Console()

    async def publish_all(settings: RuntimeSettings) -> None:
        for spec in specs:
            if spec.audit_checkpoint is None:
                continue
            published = await spec.audit_checkpoint(settings)
            for item in published:
                console.print(
                    f"{spec.name}: checkpoint of the {item['log']} log at row {item['seq']} ({item['row_hash'][:12]})",
                    highlight=False,
                )
            if not published:
                console.print(f"{spec.name}: the audit logs are empty, nothing to sign", highlight=False)

    run(with_servers(cli.settings(), publish_all))


@audit_app.command("keygen")
def keygen() -> None:
    """A new checkpoint signing key (for the workers) and its public key (for the verifiers)."""
    key = new_signing_key()
    print(f"RINNALLA_AUDIT_SIGNING_KEY={signing_key_text(key)}")
    print(f"RINNALLA_AUDIT_VERIFY_KEYS={public_key_text(key)}")
