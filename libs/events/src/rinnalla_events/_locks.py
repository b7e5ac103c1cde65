"""Session-level advisory locks on a connection held for as long as the lock.

A session lock lives as long as its connection: if the process dies, PostgreSQL releases it. The other
side of that coin: a pooled connection given back to its pool still holding the lock would keep it for
whoever borrows the connection next, so `release` unlocks, and closes the connection if it cannot.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from rinnalla_events._connections import ConnectionSource, PgConnection


class SessionLock:
    def __init__(self, conn: PgConnection, namespace: str, name: str) -> None:
        self._conn = conn
        self._namespace = namespace
        self._name = name
        self.held = False

    async def try_acquire(self) -> bool:
        if not self.held:
            self.held = bool(
                await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", self._namespace, self._name
                )
            )
        return self.held

    async def query(self, sql: str, *args: Any, within: float) -> Any:
        """A value read on the lock's connection: raises if the connection (and with it the lock) is gone,
        or does not answer within `within` seconds."""
        return await asyncio.wait_for(self._conn.fetchval(sql, *args), within)

    async def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            await asyncio.wait_for(
                self._conn.fetchval(
                    "SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", self._namespace, self._name
                ),
                5.0,
            )
        except asyncio.CancelledError:
            self._terminate()
            raise
        except Exception:  # a broken connection took the lock with it; make sure it is closed
            self._terminate()

    def _terminate(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.terminate()


@contextlib.asynccontextmanager
async def session_lock(connections: ConnectionSource, namespace: str, name: str) -> AsyncIterator[bool]:
    """Try once to take the lock; yields whether it is held for the block."""
    async with connections.acquire() as conn:
        lock = SessionLock(conn, namespace, name)
        held = await lock.try_acquire()
        try:
            yield held
        finally:
            await lock.release()
