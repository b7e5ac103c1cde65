"""Where the event log gets its PostgreSQL connections.

The hot paths (append, relay reads, projection batches) talk asyncpg directly: SQLAlchemy Core costs
about 0.3x of raw asyncpg for single-row transactions. A service that already has a SQLAlchemy async
engine lends its pool's asyncpg connections through `SqlAlchemyConnections`, so there is one pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine


class ConnectionSource(Protocol):
    def acquire(self) -> AbstractAsyncContextManager[Any]:
        """An asyncpg connection for the duration of the block."""
        ...


class AsyncpgConnections:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self.pool.acquire() as conn:
            yield conn

    @classmethod
    async def connect(cls, dsn: str, *, min_size: int = 1, max_size: int = 10) -> AsyncpgConnections:
        pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()


class SqlAlchemyConnections:
    """Borrows the asyncpg connection underneath a SQLAlchemy async engine's pooled connection."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self.engine.connect() as sa_conn:
            raw = await sa_conn.get_raw_connection()
            yield raw.driver_connection
