"""Feeds the read model from the event store: batches of committed events, applied with the checkpoint
in one transaction, so the read model is exactly the log's prefix up to the checkpoint.

A rebuild deletes the rows and replays the whole log in one transaction: readers see the old rows
until it commits, then the new ones (no half-built state is ever visible).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from rinnalla_events.codec import EventCodec
from rinnalla_events.store import Cursor, EventStore

from rinnalla_enrollment.projections.enrollment_view import EnrollmentReadModel
from rinnalla_enrollment.projections.tables import PROJECTION_NAME, READ_SCHEMA

S = READ_SCHEMA
BATCH = 500


class Projector:
    def __init__(self, pool: Any, store: EventStore, codec: EventCodec, model: EnrollmentReadModel) -> None:
        self._pool = pool
        self._store = store
        self._codec = codec
        self._model = model

    async def _cursor(self, conn: Any, *, lock: bool) -> Cursor:
        row = await conn.fetchrow(
            f"SELECT tx_id, position FROM {S}.checkpoint WHERE name = $1" + (" FOR UPDATE" if lock else ""),
            PROJECTION_NAME,
        )
        return Cursor(int(row["tx_id"]), int(row["position"]))

    async def _apply_batch(self, conn: Any, cursor: Cursor) -> tuple[Cursor, int]:
        stored = await self._store.read_all(cursor, BATCH)
        for item in stored:
            await self._model.apply(conn, await self._codec.decode(item.envelope))
        if stored:
            cursor = stored[-1].cursor
            await conn.execute(
                f"UPDATE {S}.checkpoint SET tx_id = $2, position = $3 WHERE name = $1",
                PROJECTION_NAME, cursor.tx, cursor.position,
            )
        return cursor, len(stored)

    async def step(self) -> int:
        """Apply one batch; the number of events applied."""
        async with self._pool.acquire() as conn, conn.transaction():
            cursor = await self._cursor(conn, lock=True)
            _, applied = await self._apply_batch(conn, cursor)
            return applied

    async def catch_up(self) -> int:
        total = 0
        while applied := await self.step():
            total += applied
        return total

    async def run(self, stop: asyncio.Event, idle_seconds: float = 0.5) -> None:
        """Until `stop` is set: apply batches, waiting a moment when there is nothing new."""
        while not stop.is_set():
            if await self.step() == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle_seconds)

    async def lag(self) -> int:
        async with self._pool.acquire() as conn:
            cursor = await self._cursor(conn, lock=False)
        return await self._store.count_after(cursor)

    async def rebuild(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Delete and replay everything in one transaction; returns the number of events applied."""
        total = await self._store.count_after(Cursor())
        done = 0
        async with self._pool.acquire() as conn, conn.transaction():
            await self._cursor(conn, lock=True)  # the running worker waits for us
            await self._model.clear(conn)
            cursor = Cursor()
            while True:
                cursor, applied = await self._apply_batch(conn, cursor)
                if applied == 0:
                    break
                done += applied
                if on_progress is not None:
                    on_progress(done, max(total, done))
            await conn.execute(
                f"UPDATE {S}.checkpoint SET tx_id = $2, position = $3 WHERE name = $1",
                PROJECTION_NAME, cursor.tx, cursor.position,
            )
        return done
