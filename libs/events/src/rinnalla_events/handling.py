"""The shape of every command handler: load the stream, decide, append with the version we loaded.

If another writer appended in between, the store raises `ConcurrencyConflict` and nothing is written;
the HTTP edge answers 409. A retried command (same idempotency key, same request) returns what the
first attempt did, without deciding again, so a retry after a lost response is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rinnalla_events.envelope import EventMetadata
from rinnalla_events.event import DomainEvent
from rinnalla_events.store import AppendResult, EventStore
from rinnalla_events.tracing import tracer, with_current_trace

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
    state = decider.initial()
    version = 0
    for recorded in await store.read_stream(decider.stream_type, stream_id):
        state = decider.evolve(state, recorded.event)
        version = recorded.envelope.version
    return state, version


async def handle(
    store: EventStore,
    decider: Decider[State, Command],
    stream_id: str,
    command: Command,
    metadata: EventMetadata,
    *,
    idempotency_key: str | None = None,
    request_fingerprint: str | None = None,
    result: dict[str, Any] | None = None,
) -> AppendResult | None:
    """Load, decide, append. Returns None when the command changed nothing (no events)."""
    with tracer.start_as_current_span(f"command {type(command).__name__}") as span:
        span.set_attribute("rinnalla.stream", f"{decider.stream_type}/{stream_id}")
        if idempotency_key is not None:
            previous = await store.previous_result(idempotency_key, request_fingerprint)
            if previous is not None:
                span.set_attribute("rinnalla.duplicate", True)
                return previous
        state, version = await load(store, decider, stream_id)
        events = decider.decide(state, command)
        if not events:
            return None
        return await store.append(
            decider.stream_type,
            stream_id,
            list(events),
            expected_version=version,
            metadata=with_current_trace(metadata),
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            result=result,
        )
