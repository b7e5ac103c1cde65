"""The service's one PostgreSQL pool, opened after the parts that borrow from it were built."""

from __future__ import annotations

from typing import Any

import asyncpg


class PoolNotOpen(RuntimeError):
    pass


class ServicePool:
    """A connection source (`rinnalla_events.connections.ConnectionSource`) whose pool opens later: in the
    API's lifespan or the worker's start, so every part that borrows connections can be built up front."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.pool: asyncpg.Pool | None = None
        self._owned = False

    def acquire(self) -> Any:
        if self.pool is None:
            raise PoolNotOpen(f"the {self.service} service's database pool is not open yet")
        return self.pool.acquire()

    async def open(self, dsn: str, *, min_size: int, max_size: int) -> None:
        """Opens the pool unless one is already open (a test may lend its own)."""
        if self.pool is None:
            self.pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
            self._owned = True

    async def close(self) -> None:
        if self.pool is not None and self._owned:
            await self.pool.close()
            self.pool = None
            self._owned = False
