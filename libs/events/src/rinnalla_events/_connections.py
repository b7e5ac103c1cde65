"""Where the event log gets its PostgreSQL connections, and what it expects of one.

The hot paths (append, relay reads, projection batches) talk asyncpg directly: SQLAlchemy Core costs
about 0.3x of raw asyncpg for single-row transactions. A service that already has a SQLAlchemy async
engine lends its pool's asyncpg connections through `SqlAlchemyConnections`, so there is one pool.

asyncpg ships no type information, so `PgConnection` and `PgRow` state the part of its connection and
record API the event log (and a projection's `apply`) relies on; an asyncpg connection satisfies both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import asyncpg

if TYPE_CHECKING:  # the slowest import of all; only services that lend a SQLAlchemy engine pay for it
    from sqlalchemy.ext.asyncio import AsyncEngine


class PgRow(Protocol):
    """A result row (asyncpg `Record`): columns by name or position; iterating yields the values."""

    def __getitem__(self, key: str | int, /) -> Any: ...

    def get(self, key: str, default: Any = None, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...

    def values(self) -> Iterable[Any]: ...

    def items(self) -> Iterable[tuple[str, Any]]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


# Called with (connection, server process id, channel, payload) for each NOTIFY on a LISTENed channel.
NotificationCallback = Callable[["PgConnection", int, str, str], object]


class PgConnection(Protocol):
    """The asyncpg connection methods the event log uses."""

    async def execute(self, query: str, *args: Any) -> str: ...

    async def executemany(self, command: str, args: Iterable[Sequence[Any]]) -> None: ...

    async def fetch(self, query: str, *args: Any) -> list[PgRow]: ...

    async def fetchrow(self, query: str, *args: Any) -> PgRow | None: ...

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any: ...

    def transaction(
        self, *, isolation: str | None = None, readonly: bool = False, deferrable: bool = False
    ) -> AbstractAsyncContextManager[object]:
        """A transaction, or a savepoint when one is already open."""
        ...

    async def add_listener(self, channel: str, callback: NotificationCallback) -> None: ...

    async def remove_listener(self, channel: str, callback: NotificationCallback) -> None: ...

    def is_closed(self) -> bool: ...

    def terminate(self) -> None:
        """Close at once, without waiting for the server (a broken connection, a lock that must go)."""
        ...


class ConnectionSource(Protocol):
    def acquire(self) -> AbstractAsyncContextManager[PgConnection]:
        """An asyncpg connection for the duration of the block."""
        ...


class AsyncpgConnections:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[PgConnection]:
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
    async def acquire(self) -> AsyncIterator[PgConnection]:
        async with self.engine.connect() as sa_conn:
            raw = await sa_conn.get_raw_connection()
            driver = raw.driver_connection
            if driver is None:  # None only once SQLAlchemy has invalidated the connection
                raise RuntimeError("the pooled SQLAlchemy connection has no asyncpg connection")
            yield driver
