"""The shape of every command: load the streams it needs, decide, append them all or nothing.

A command may decide for several aggregates at once (a child joins a team). The state is loaded without
locks; the commit hands every stream's events, with the version each stream had when it was loaded, to
the store's atomic multi-stream append. A writer that lost the race gets `ConcurrencyConflict` and writes
nothing. With an idempotency key a retried request returns the first outcome: `previous()` finds it before
deciding, and a twin that committed while this one decided makes the commit answer with the twin's result.

A decision that changes nothing is an answer too: streams without events are left out, and when no stream
has any, nothing is appended and the outcome says `changed=False`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rinnalla_events._envelope import EventMetadata
from rinnalla_events._event import StreamEvents
from rinnalla_events._handling import Decider, load
from rinnalla_events._store import AppendResult, EventStore, StreamWrite
from rinnalla_events._tracing import tracer, with_current_trace

State = TypeVar("State")
Command = TypeVar("Command")


@dataclass(frozen=True)
class Loaded(Generic[State]):
    """One stream's state as the command saw it, and the version the commit will expect."""

    stream_type: str
    stream_id: str
    state: State
    version: int


@dataclass(frozen=True)
class Outcome:
    """What a command did: the stored result (the same on a retry), whether this was a retry, and
    whether anything was appended."""

    result: dict[str, Any]
    replayed: bool = False
    changed: bool = True


@dataclass(frozen=True)
class Idempotency:
    """The caller's key for one intended change, and a fingerprint of the request that came with it."""

    key: str
    fingerprint: str


@dataclass
class CommandWriter:
    """One command's writes. Build one per command: it remembers the versions it loaded."""

    store: EventStore
    metadata: EventMetadata
    idempotency: Idempotency | None = None
    _versions: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)

    async def previous(self) -> Outcome | None:
        """The outcome of an earlier run of this request (same key); `IdempotencyKeyReused` for another body."""
        if self.idempotency is None:
            return None
        found = await self.store.previous_result(self.idempotency.key, self.idempotency.fingerprint)
        return _replayed(found) if found is not None else None

    async def load(self, decider: Decider[State, Any], stream_id: str) -> Loaded[State]:
        state, version = await load(self.store, decider, stream_id)
        self._versions[(decider.stream_type, stream_id)] = version
        return Loaded(decider.stream_type, stream_id, state, version)

    async def commit(
        self, changes: Sequence[StreamEvents], result: dict[str, Any], *, tenant: str | None = None
    ) -> Outcome:
        """Append every stream's events atomically, each expecting the version it was loaded at (0 if it
        was not loaded). `tenant` (the municipality the records belong to) overrides the metadata's."""
        writes = [
            StreamWrite(
                change.stream_type,
                change.stream_id,
                list(change.events),
                expected_version=self._versions.get((change.stream_type, change.stream_id), 0),
            )
            for change in changes
            if change.events
        ]
        if not writes:
            return Outcome(result=result, changed=False)
        metadata = self.metadata if tenant is None else self.metadata.model_copy(update={"tenant": tenant})
        keyed = self.idempotency
        appended = await self.store.append_streams(
            writes,
            metadata=with_current_trace(metadata),
            idempotency_key=keyed.key if keyed else None,
            request_fingerprint=keyed.fingerprint if keyed else None,
            result=result if keyed else None,
        )
        if appended and appended[0].duplicate:  # a twin of this request committed while we decided
            return _replayed(appended[0])
        return Outcome(result=result)


async def handle(
    store: EventStore,
    decider: Decider[State, Command],
    stream_id: str,
    command: Command,
    metadata: EventMetadata,
    *,
    idempotency: Idempotency | None = None,
) -> Outcome:
    """A command for one stream: the writer's load, decide, commit, with a retry answered first.

    The result names the stream and the events recorded (none when the command changed nothing)."""
    with tracer.start_as_current_span(f"command {type(command).__name__}") as span:
        span.set_attribute("rinnalla.stream", f"{decider.stream_type}/{stream_id}")
        writer = CommandWriter(store, metadata, idempotency)
        previous = await writer.previous()
        if previous is not None:
            span.set_attribute("rinnalla.duplicate", True)
            return previous
        loaded = await writer.load(decider, stream_id)
        events = tuple(decider.decide(loaded.state, command))
        result = {
            "stream_type": decider.stream_type,
            "stream_id": stream_id,
            "events": [event.event_type for event in events],
        }
        return await writer.commit([StreamEvents(decider.stream_type, stream_id, events)], result)


def _replayed(found: AppendResult) -> Outcome:
    return Outcome(result=dict(found.result or {}), replayed=True)
