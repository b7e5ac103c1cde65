"""Waking the relay when events are committed, instead of leaving it to its next poll.

Three sources of wake-ups, from cheapest to widest:

- in process: a command handler that has just appended calls `Wakeup.wake()` (free);
- across processes: an optional statement-level trigger on `{schema}.events` issues NOTIFY, and the relay
  LISTENs on the schema's channel;
- always: the relay polls with adaptive backoff, so a missed or absent notification only delays an event.

Why statement-level and why optional: an append is one INSERT statement, so a statement trigger fires once
per append whatever the number of events, and Postgres folds identical notifications of one transaction
into one. But a transaction that has issued NOTIFY takes a database-wide lock while it commits, so
notifying appends commit one at a time and lose group commit. A service whose concurrent write throughput
matters leaves the trigger out and lives with the poll's idle delay (a cheap index probe a few times a
second when idle, back to back when busy).
"""

from __future__ import annotations

import asyncio
import contextlib

from rinnalla_events._connections import PgConnection
from rinnalla_events._ddl import check_schema_name

_MAX_IDENTIFIER = 63  # NAMEDATALEN - 1: longer channel names are refused by pg_notify


def channel_for(schema: str) -> str:
    """The NOTIFY channel of a schema's event table. A truncated name can only cause a spare wake-up."""
    return f"rinnalla_events_{check_schema_name(schema)}"[:_MAX_IDENTIFIER]


def notify_trigger_ddl(schema: str) -> list[str]:
    """Statements that make every append to `{schema}.events` notify `channel_for(schema)` at commit."""
    s = check_schema_name(schema)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {s}.notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{channel_for(s)}', '');
            RETURN NULL;
        END
        $$
        """,
        f"""
        CREATE OR REPLACE TRIGGER events_appended_notify AFTER INSERT ON {s}.events
            FOR EACH STATEMENT EXECUTE FUNCTION {s}.notify_events_appended()
        """,
    ]


async def install_notify_trigger(conn: PgConnection, schema: str) -> None:
    """Install the trigger (idempotent). `conn` is an asyncpg connection; services call this from a migration."""
    async with conn.transaction():
        for statement in notify_trigger_ddl(schema):
            await conn.execute(statement)


class Wakeup:
    """A flag that notifications, in-process callers and shutdown raise, and the relay waits on."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def wake(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; True if woken. Clears the flag either way."""
        woken = False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()
            woken = True
        self._event.clear()
        return woken

    def _on_notification(self, _conn: PgConnection, _pid: int, _channel: str, _payload: str) -> None:
        self._event.set()

    async def listen(self, conn: PgConnection, channel: str) -> None:
        """LISTEN on `conn` (an asyncpg connection kept for as long as notifications are wanted)."""
        await conn.add_listener(channel, self._on_notification)

    async def unlisten(self, conn: PgConnection, channel: str) -> None:
        with contextlib.suppress(Exception):  # the connection may already be gone
            await conn.remove_listener(channel, self._on_notification)
