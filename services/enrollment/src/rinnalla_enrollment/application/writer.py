"""Load, decide, append for commands that touch one or several streams, all or nothing.

The domain's workflows decide for two or three aggregates at once (an enrolment changes the child and
the team). The state is loaded without locks; the commit hands every stream's events, with the version
each stream had when it was loaded, to the event store's atomic multi-stream append. A writer that lost
the race gets `ConcurrencyConflict` and writes nothing; a twin of the same request (same idempotency key)
that committed first makes this one answer with the twin's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rinnalla_events.codec import EventCodec
from rinnalla_events.connections import ConnectionSource
from rinnalla_events.envelope import EventMetadata
from rinnalla_events.handling import Decider, load
from rinnalla_events.store import AppendResult, PostgresEventStore, StreamWrite

from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.domain.workflows import StreamEvents

State = TypeVar("State")


@dataclass(frozen=True)
class Loaded(Generic[State]):
    stream_type: str
    stream_id: str
    state: State
    version: int


@dataclass(frozen=True)
class Outcome:
    """What a command did: the stored result (the same on a retry) and whether this was a retry."""

    result: dict[str, Any]
    replayed: bool = False
    changed: bool = True


@dataclass
class Idempotency:
    key: str
    fingerprint: str


@dataclass
class CommandWriter:
    """One command's writes. Build one per command: it remembers the versions it loaded."""

    connections: ConnectionSource
    schema: str
    codec: EventCodec
    metadata: EventMetadata
    idempotency: Idempotency | None = None
    # For the identity index (an enrolment claims the person's identity key); see identity_index.py.
    identity_keys: IdentityKeys | None = None
    _versions: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def store(self) -> PostgresEventStore:
        return PostgresEventStore(self.connections, self.schema, self.codec)

    async def previous(self) -> Outcome | None:
        """The outcome of an earlier run of this command (same key); `IdempotencyKeyReused` for another body."""
        if self.idempotency is None:
            return None
        found = await self.store.previous_result(self.idempotency.key, self.idempotency.fingerprint)
        return _replayed(found) if found is not None else None

    async def load(self, decider: Decider[State, Any], stream_id: str) -> Loaded[State]:
        state, version = await load(self.store, decider, stream_id)
        self._versions[(decider.stream_type, stream_id)] = version
        return Loaded(decider.stream_type, stream_id, state, version)

    async def commit(self, changes: Sequence[StreamEvents], result: dict[str, Any], *, tenant: str) -> Outcome:
        """Append every stream's events atomically, with the versions loaded; `tenant` is the
        municipality the records belong to."""
        if not changes:
            return Outcome(result=result, changed=False)
        writes = [
            StreamWrite(
                change.stream_type,
                change.stream_id,
                list(change.events),
                expected_version=self._versions.get((change.stream_type, change.stream_id), 0),
            )
            for change in changes
        ]
        keyed = self.idempotency
        appended = await self.store.append_streams(
            writes,
            metadata=self.metadata.model_copy(update={"tenant": tenant}),
            idempotency_key=keyed.key if keyed else None,
            request_fingerprint=keyed.fingerprint if keyed else None,
            result=result if keyed else None,
        )
        if appended and appended[0].duplicate:  # a twin of this request committed while we decided
            return _replayed(appended[0])
        return Outcome(result=result)


def _replayed(found: AppendResult) -> Outcome:
    return Outcome(result=dict(found.result or {}), replayed=True)
