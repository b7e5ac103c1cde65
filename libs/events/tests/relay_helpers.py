"""Shared pieces of the relay tests: a store with sample events, reading a stream back, waiting with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._nats_connection import NatsClientFactory, nats_connector
from rinnalla_events._store import Cursor, PostgresEventStore
from rinnalla_events._subjects import Subjects, ensure_stream, headers_for
from rinnalla_events.sample_events import ChildRegistered, Counted, Guardian

SERVICE = "enrollment"
META = EventMetadata(tenant="092", actor="mentor-1")
CHILD_NAME = "Aino Virtanen"
CHILD_HETU = "010116A123N"
GUARDIAN_NAME = "Maija Virtanen"


def nats_factory(url: str) -> NatsClientFactory:
    """Connections that notice a server restart quickly and give up soon (the relay then makes a new one)."""
    return nats_connector(url, reconnect_time_wait=0.1, max_reconnect_attempts=3, connect_timeout=1.0)


def child(child_id: str) -> ChildRegistered:
    return ChildRegistered(
        child_id=child_id,
        name=CHILD_NAME,
        hetu=CHILD_HETU,
        school="Hakunila",
        guardians=(Guardian(guardian_id=f"{child_id}-g1", name=GUARDIAN_NAME),),
    )


async def append_events(store: PostgresEventStore, streams: int, *, first: int = 0, per_stream: int = 3) -> None:
    """`streams` children, each registered and then counted `per_stream - 1` times, one append per stream."""
    for i in range(first, first + streams):
        events: list[Any] = [child(f"c{i}")] + [Counted(n=n, label=f"c{i}") for n in range(1, per_stream)]
        await store.append("child", f"c{i}", events, expected_version=0, metadata=META)


async def log_ids(store: PostgresEventStore) -> list[UUID]:
    """Event ids of the whole store in log order."""
    ids: list[UUID] = []
    cursor = Cursor()
    while batch := await store.read_all(cursor):
        ids.extend(e.envelope.event_id for e in batch)
        cursor = batch[-1].cursor
    return ids


async def stream_messages(js: Any, stream: str) -> list[RawStreamMsg]:
    """Every message the stream holds, in stream order."""
    info = await js.stream_info(stream)
    found: list[RawStreamMsg] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            found.append(await js.get_msg(stream, seq))
        except NotFoundError:
            continue
    return found


async def stream_ids(js: Any, stream: str) -> list[UUID]:
    return [UUID(m.headers["Nats-Msg-Id"]) for m in await stream_messages(js, stream) if m.headers]


async def recreate_stream_with_prefix(js: Any, subjects: Subjects, store: PostgresEventStore, keep: int) -> None:
    """What a server that lost the stream's tail looks like: a new stream holding only the first `keep` events.

    Deleting messages or purging would not do: JetStream keeps their ids in the duplicate window and would
    drop the republished events, which is not what happens after a real loss (the window is rebuilt from
    the messages that survived).
    """
    await js.delete_stream(subjects.stream_name(SERVICE))
    await ensure_stream(js, subjects, SERVICE)
    for stored in (await store.read_all(Cursor(), limit=keep))[:keep]:
        envelope = stored.envelope
        await js.publish(subjects.subject_for(SERVICE, envelope), envelope.to_wire(), headers=headers_for(envelope))


@dataclass
class Deadline:
    seconds: float = 30.0

    async def until(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        """Poll `check` until it is true; fail with `what` after the deadline."""
        end = time.monotonic() + self.seconds
        while not await check():
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting until {what}")
            await asyncio.sleep(0.02)


class Borrowed:
    """One connection, already in a caller's transaction, lent to a store."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        yield self.conn
