"""`rinnalla token mint --user U` and `rinnalla token users`: development tokens for the demo users.

The tokens are signed with development keys kept in the data directory (`<data dir>/dev-keys`, or
RINNALLA_AUTH_DEV_KEY_PATH); the dev stack's services trust exactly those keys. Never for production.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, cast, get_args

import typer
from rich.console import Console
from rich.table import Table
from rinnalla_runtime.settings import RuntimeSettings

from rinnalla_cli.context import EXIT_USAGE, err_console, fail, state

token_app = typer.Typer(help="Development tokens for the demo users (never for production).", no_args_is_help=True)

DEV_KEY_PATH_VARIABLE = "RINNALLA_AUTH_DEV_KEY_PATH"
DEV_KEY_ALGORITHM_VARIABLE = "RINNALLA_AUTH_DEV_KEY_ALGORITHM"


def dev_key_dir(settings: RuntimeSettings) -> Path:
    configured = os.environ.get(DEV_KEY_PATH_VARIABLE)
    return Path(configured) if configured else settings.dev_key_dir


@token_app.command("mint")
def mint(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", "-u", help="Demo user name (see `rinnalla token users`).")],
    hours: Annotated[float, typer.Option(help="Lifetime of the token.", min=0.01, max=24 * 30)] = 8.0,
    key_dir: Annotated[Path | None, typer.Option(help="Directory of the development signing keys.")] = None,
) -> None:
    """Print a signed token for a demo user: curl -H "Authorization: Bearer $(rinnalla token mint -u ...)"."""
    from rinnalla_security import mint_dev_token
    from rinnalla_security.settings import DevAlgorithm

    settings = state(ctx).settings()
    algorithm = os.environ.get(DEV_KEY_ALGORITHM_VARIABLE, "ES256")
    if algorithm not in get_args(DevAlgorithm):
        fail(f"{DEV_KEY_ALGORITHM_VARIABLE} must be one of {', '.join(get_args(DevAlgorithm))}", EXIT_USAGE)
    try:
        token = mint_dev_token(
            user,
            key_dir=key_dir or dev_key_dir(settings),
            algorithm=cast("DevAlgorithm", algorithm),  # checked against DevAlgorithm above
            ttl=timedelta(hours=hours),
        )
    except KeyError as exc:
        fail(str(exc.args[0]) if exc.args else f"no demo user {user!r}", EXIT_USAGE)
    print(token)
    err_console().print(f"token for {user}, valid {hours:g} h", style="dim", highlight=False)


@token_app.command("users")
def users() -> None:
    """The demo users a token can be minted for."""
    from rinnalla_security import DEMO_USERS

    table = Table("user", "roles", "municipalities", "who", title="Demo users (invented people)")
    for demo in DEMO_USERS:
        table.add_row(
            demo.username,
            ", ".join(sorted(role.value for role in demo.roles)),
            ", ".join(sorted(demo.tenants)),
            demo.description,
        )
    Console().print(table)
