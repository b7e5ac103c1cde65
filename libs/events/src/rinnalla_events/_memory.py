"""An in-memory event store with the same contract as the PostgreSQL one, for pure unit tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rinnalla_events._codec import EventCodec, RecordedEvent
from rinnalla_events._envelope import Envelope, EventMetadata
from rinnalla_events._errors import ConcurrencyConflict
from rinnalla_events._event import DomainEvent
from rinnalla_events._ids import new_id
from rinnalla_events._store import AppendResult, Cursor, IdempotencyKeyReused, StoredEvent, StreamWrite
from rinnalla_events._tracing import with_current_trace


class InMemoryEventStore:
    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec
        self._log: list[Envelope] = []
        self._idempotency: dict[str, tuple[str, AppendResult]] = {}

    def _stream(self, stream_type: str, stream_id: str) -> list[Envelope]:
        return [e for e in self._log if e.stream_type == stream_type and e.stream_id == stream_id]

    async def append(
        self,
        stream_type: str,
        stream_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
        metadata: EventMetadata,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> AppendResult:
        if not events:
            raise ValueError("append needs at least one event")
        if idempotency_key is not None:
            previous = await self.previous_result(idempotency_key, request_fingerprint)
            if previous is not None:
                return previous
        current = len(self._stream(stream_type, stream_id))
        if current != expected_version:
            raise ConcurrencyConflict(stream_type, stream_id, expected_version, current)
        metadata = with_current_trace(metadata)  # as the PostgreSQL store does
        payloads = [await self.codec.encode(event) for event in events]
        now = datetime.now(UTC)
        ids = []
        for offset, (event, payload) in enumerate(zip(events, payloads, strict=True), start=1):
            event_id = new_id()
            ids.append(event_id)
            self._log.append(
                Envelope(
                    event_id=event_id,
                    stream_type=stream_type,
                    stream_id=stream_id,
                    version=expected_version + offset,
                    position=len(self._log) + 1,
                    event_type=event.event_type,
                    schema_version=event.schema_version,
                    occurred_at=metadata.occurred_at or now,
                    recorded_at=now,
                    tenant=metadata.tenant,
                    actor=metadata.actor,
                    correlation_id=metadata.correlation_id or ids[0],
                    causation_id=metadata.causation_id,
                    traceparent=metadata.traceparent,
                    tracestate=metadata.tracestate,
                    payload=json.loads(json.dumps(payload)),
                )
            )
        appended = AppendResult(
            stream_type, stream_id, expected_version + 1, expected_version + len(events), tuple(ids), result=result
        )
        if idempotency_key is not None:
            duplicate = AppendResult(
                stream_type,
                stream_id,
                appended.first_version,
                appended.last_version,
                appended.event_ids,
                duplicate=True,
                result=result,
            )
            self._idempotency[idempotency_key] = (request_fingerprint or "", duplicate)
        return appended

    async def append_streams(
        self,
        writes: Sequence[StreamWrite],
        *,
        metadata: EventMetadata,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> list[AppendResult]:
        if idempotency_key is not None:
            previous = await self.previous_result(idempotency_key, request_fingerprint)
            if previous is not None:
                return [previous]
        ordered = sorted(writes, key=lambda w: (w.stream_type, w.stream_id))
        for write in ordered:
            current = len(self._stream(write.stream_type, write.stream_id))
            if current != write.expected_version:
                raise ConcurrencyConflict(write.stream_type, write.stream_id, write.expected_version, current)
        metadata = metadata.model_copy(update={"correlation_id": metadata.correlation_id or new_id()})
        results = [
            await self.append(
                w.stream_type,
                w.stream_id,
                w.events,
                expected_version=w.expected_version,
                metadata=metadata,
                result=result,
            )
            for w in ordered
        ]
        if idempotency_key is not None:
            first = results[0]
            self._idempotency[idempotency_key] = (
                request_fingerprint or "",
                AppendResult(
                    first.stream_type,
                    first.stream_id,
                    first.first_version,
                    first.last_version,
                    first.event_ids,
                    duplicate=True,
                    result=result,
                ),
            )
        return results

    async def previous_result(self, idempotency_key: str, request_fingerprint: str | None) -> AppendResult | None:
        found = self._idempotency.get(idempotency_key)
        if found is None:
            return None
        stored_fingerprint, previous = found
        if request_fingerprint is not None and stored_fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(f"idempotency key {idempotency_key!r} was already used for a different request")
        return previous

    async def stream_version(self, stream_type: str, stream_id: str) -> int:
        return len(self._stream(stream_type, stream_id))

    async def read_stream(self, stream_type: str, stream_id: str, *, after_version: int = 0) -> list[RecordedEvent]:
        return [await self.codec.decode(e) for e in self._stream(stream_type, stream_id) if e.version > after_version]

    async def read_all(self, after: Cursor, limit: int = 1000) -> list[StoredEvent]:
        # One writer, no open transactions: the position alone orders the log (tx is always 1).
        return [StoredEvent(Cursor(1, e.position), e) for e in self._log if Cursor(1, e.position) > after][:limit]

    async def count_after(self, after: Cursor) -> int:
        return sum(1 for e in self._log if Cursor(1, e.position) > after)
