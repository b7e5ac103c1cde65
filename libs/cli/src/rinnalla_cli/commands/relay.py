"""`rinnalla relay publish-placeholder SERVICE EVENT_ID`: the way past an event too large for the bus."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rinnalla_events import NotBlocked
from rinnalla_runtime.service import UnknownService
from rinnalla_runtime.settings import RuntimeSettings

from rinnalla_cli.context import EXIT_USAGE, fail, log_to_stderr, run, state, with_servers

relay_app = typer.Typer(help="The relay that publishes a service's event log to NATS.", no_args_is_help=True)


@relay_app.command("publish-placeholder")
def publish_placeholder(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="Service whose relay is stopped.")],
    event_id: Annotated[str, typer.Argument(help="The event the relay is stopped at (from its error log or alert).")],
) -> None:
    """Publish an EventTooLargeForBus placeholder in place of an event too large for the bus (ADR 0006).

    Only for the event the relay is stopped at: the next one to publish, larger than the bus carries. The
    placeholder keeps the event's id, stream, version and position, so the stream stays in order and the
    relay goes on after it; the event itself stays in the service's event store.
    """
    cli = state(ctx)
    log_to_stderr(cli.verbose)
    try:
        spec = cli.service(service)
    except UnknownService as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        wanted = UUID(event_id)
    except ValueError:
        fail(f"{event_id!r} is not an event id (a UUID)", EXIT_USAGE)

    async def publish(settings: RuntimeSettings) -> int:
        return await spec.publish_placeholder(settings, wanted)

    try:
        size = run(with_servers(cli.settings(), publish))
    except NotBlocked as exc:
        fail(str(exc))
    Console().print(
        f"{service}: published an EventTooLargeForBus placeholder ({size:,} bytes) in place of event {wanted}; "
        "the relay goes on after it",
        highlight=False,
    )
