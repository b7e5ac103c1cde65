"""An aggregate as a decider, and its state loaded from its stream.

Commands are written with `command_writer.CommandWriter` (load, decide, append with the versions loaded)
or, for a command of one stream, `command_writer.handle`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rinnalla_events._event import DomainEvent
from rinnalla_events._store import EventStore

State = TypeVar("State")
Command = TypeVar("Command")


@dataclass(frozen=True)
class Decider(Generic[State, Command]):
    """A pure aggregate: how to start, how events change the state, how commands become events."""

    stream_type: str
    initial: Callable[[], State]
    evolve: Callable[[State, DomainEvent], State]
    decide: Callable[[State, Command], Sequence[DomainEvent]]


async def load(store: EventStore, decider: Decider[State, Any], stream_id: str) -> tuple[State, int]:
    """The stream's state and its version (0 for a stream without events)."""
    state = decider.initial()
    version = 0
    for recorded in await store.read_stream(decider.stream_type, stream_id):
        state = decider.evolve(state, recorded.event)
        version = recorded.envelope.version
    return state, version
