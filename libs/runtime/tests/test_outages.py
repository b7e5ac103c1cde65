from __future__ import annotations

import asyncpg
from rinnalla_runtime.outages import is_dependency_outage


def raised_from(cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("while handling a command") from inner
    except RuntimeError as outer:
        return outer


def test_unreachable_or_dropped_servers_are_outages() -> None:
    assert is_dependency_outage(ConnectionRefusedError(111, "refused"))
    assert is_dependency_outage(OSError("Multiple exceptions: [Errno 111] Connect call failed"))
    assert is_dependency_outage(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert is_dependency_outage(TimeoutError())
    assert is_dependency_outage(raised_from(ConnectionResetError()))


def test_bugs_are_not_outages() -> None:
    assert not is_dependency_outage(ValueError("bad"))
    assert not is_dependency_outage(FileNotFoundError("missing.txt"))
    assert not is_dependency_outage(raised_from(KeyError("x")))
