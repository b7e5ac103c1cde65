"""Parked (poison) events: list them, and retry them once the cause is fixed.

A retried event is applied to the active generation out of stream order (later events were applied
meanwhile), so the projection's `apply` should be an upsert that does not depend on order, which is the
rule for projections anyway. A rebuild replays parked events in order like every other event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from opentelemetry.trace import TracerProvider

from rinnalla_events._applier import ActiveVersionDiffers, BatchApplier, is_transient
from rinnalla_events._codec import EventCodec
from rinnalla_events._connections import ConnectionSource
from rinnalla_events._ddl import check_schema_name
from rinnalla_events._envelope import Envelope
from rinnalla_events._projection import Projection
from rinnalla_events._projection_metrics import ProjectionMetrics


@dataclass(frozen=True)
class ParkedEvent:
    consumer: str
    event_id: UUID
    event_type: str
    stream_seq: int | None
    error: str
    envelope: dict[str, Any]
    parked_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class RetryOutcome:
    resolved: list[UUID] = field(default_factory=list)
    failed: dict[UUID, str] = field(default_factory=dict)


async def list_parked(
    connections: ConnectionSource, schema: str, consumer: str | None = None, *, include_resolved: bool = False
) -> list[ParkedEvent]:
    """Parked events, oldest first; `consumer` is the projection's name (None: every consumer's)."""
    s = check_schema_name(schema)
    async with connections.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT consumer, event_id, event_type, stream_seq, error, envelope::text AS envelope, parked_at,"
            f" resolved_at FROM {s}.parked_events"
            " WHERE ($1::text IS NULL OR consumer = $1) AND ($2 OR resolved_at IS NULL)"
            " ORDER BY parked_at, stream_seq",
            consumer,
            include_resolved,
        )
    return [
        ParkedEvent(
            r["consumer"],
            r["event_id"],
            r["event_type"],
            r["stream_seq"],
            r["error"],
            json.loads(r["envelope"]),
            r["parked_at"],
            r["resolved_at"],
        )
        for r in rows
    ]


async def retry_parked(
    projection: Projection,
    *,
    connections: ConnectionSource,
    schema: str,
    codec: EventCodec,
    event_ids: Iterable[UUID] | None = None,
    tracer_provider: TracerProvider | None = None,
) -> RetryOutcome:
    """Apply the projection's unresolved parked events (or just `event_ids`) to its active generation.

    Each event is its own transaction: applied and marked resolved together, or, if it fails again, its
    error is updated and it stays parked.
    """
    wanted = None if event_ids is None else set(event_ids)
    applier = BatchApplier(
        projection,
        connections=connections,
        schema=schema,
        codec=codec,
        metrics=ProjectionMetrics.create(),
        tracer_provider=tracer_provider,
    )
    outcome = RetryOutcome()
    for parked in await list_parked(connections, schema, projection.name):
        if wanted is not None and parked.event_id not in wanted:
            continue
        async with connections.acquire() as conn:
            try:
                async with conn.transaction():
                    await applier.apply_envelope(conn, Envelope.model_validate(parked.envelope))
                    await conn.execute(
                        f"UPDATE {schema}.parked_events SET resolved_at = now() WHERE consumer = $1 AND event_id = $2",
                        projection.name,
                        parked.event_id,
                    )
            except Exception as exc:
                if is_transient(exc) or isinstance(exc, ActiveVersionDiffers):
                    raise
                error = f"{type(exc).__name__}: {exc}"
                await conn.execute(
                    f"UPDATE {schema}.parked_events SET error = $3 WHERE consumer = $1 AND event_id = $2",
                    projection.name,
                    parked.event_id,
                    error,
                )
                outcome.failed[parked.event_id] = error
            else:
                outcome.resolved.append(parked.event_id)
    return outcome
