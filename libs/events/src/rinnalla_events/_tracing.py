"""W3C trace context through the event log: HTTP request -> stored event -> NATS headers -> projection.

The event's envelope keeps the `traceparent` of the command that caused it, so the relay can put it
in the message headers and a projection can continue the same trace.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import context, propagate, trace

from rinnalla_events._envelope import EventMetadata

tracer = trace.get_tracer("rinnalla_events")


def with_current_trace(metadata: EventMetadata) -> EventMetadata:
    """The metadata, with the current span's trace context unless the caller already set one."""
    if metadata.traceparent is not None:
        return metadata
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if "traceparent" not in carrier:
        return metadata
    return metadata.model_copy(update={"traceparent": carrier["traceparent"], "tracestate": carrier.get("tracestate")})


def context_from(headers: Mapping[str, str] | None) -> context.Context:
    """The trace context carried by message headers (or an envelope), to continue it."""
    return propagate.extract(dict(headers or {}))
