"""Telling "a server we depend on is down" apart from a bug, so clients get 503 and may retry."""

from __future__ import annotations

import asyncpg

# asyncpg's own connection errors, plus the OS's (refused, reset) and timeouts waiting for a connection.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.exceptions.OperatorInterventionError,  # e.g. the server is shutting down
)


def is_dependency_outage(exc: BaseException) -> bool:
    """True if `exc`, or anything it was raised from, says a server could not be reached or dropped us."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # A bare OSError is how a failed connect to every address is reported; its subclasses such as
        # FileNotFoundError are bugs, not outages.
        if isinstance(current, _UNAVAILABLE) or type(current) is OSError:
            return True
        current = current.__cause__ or current.__context__
    return False


UNAVAILABLE_DETAIL = (
    "a server this service depends on (the database) cannot be reached; nothing was changed."
    " Retry later with the same Idempotency-Key"
)
RETRY_AFTER_SECONDS = "5"
