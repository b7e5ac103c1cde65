"""How large an event is on the bus, and the largest message the bus carries.

NATS refuses a message whose headers and body together exceed the server's `max_payload` (1 MiB unless
configured otherwise). An event the relay cannot publish would stop the service's stream for every reader
(the relay publishes in log order and never skips), so the event store refuses such an event when it is
appended (`EventTooLarge`), and the relay stops loudly if it meets one anyway (see ADR 0006).

The size at append time is an upper bound of what the relay will send: the envelope as PostgreSQL
renders it (`json_build_object`, the payload as `jsonb` text), with every value the store assigns later
(versions, positions, timestamps) at its widest, plus the headers the relay adds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rinnalla_events._errors import EventLogError

DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024
"""NATS's default `max_payload`."""

PLACEHOLDER_EVENT_TYPE = "EventTooLargeForBus"
"""The event type of the placeholder an operator publishes in place of an event too large for the bus."""

_WIDEST_INT = 10**18  # a bigint position or version, 19 digits
_WIDEST_TIMESTAMP = "2026-12-02T15:00:00.123456+00:00"  # timestamptz as json_build_object renders it
_UUID = "00000000-0000-0000-0000-000000000000"
_WIDEST_STREAM_NAME = "X" * 64  # Nats-Expected-Stream: the stream name, unknown to the store
_HEADER_PREAMBLE = len(b"NATS/1.0\r\n") + len(b"\r\n")


class EventTooLarge(EventLogError):
    """An event whose published form would exceed the bus's message limit; nothing of the append was written."""

    def __init__(self, stream_type: str, event_type: str, size: int, limit: int) -> None:
        self.stream_type = stream_type
        self.event_type = event_type
        self.size = size
        self.limit = limit
        super().__init__(
            f"a {event_type} event of the {stream_type} would be {size:,} bytes on the bus, "
            f"which carries at most {limit:,} bytes"
        )


def header_bytes(headers: Mapping[str, str]) -> int:
    """Bytes NATS counts for a message's headers (`NATS/1.0` line, one line per header, blank line)."""
    return _HEADER_PREAMBLE + sum(len(k.encode()) + len(v.encode()) + 4 for k, v in headers.items())


def message_bytes(body: bytes, headers: Mapping[str, str]) -> int:
    """What the server compares with its `max_payload`: headers and body together."""
    return len(body) + header_bytes(headers)


def jsonb_text_bytes(payload: Mapping[str, Any]) -> int:
    """The size of `payload` as PostgreSQL prints a jsonb value: ", " and ": " separators, non-ASCII
    characters in UTF-8, control characters escaped."""
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def published_size_bound(
    *,
    stream_type: str,
    stream_id: str,
    event_type: str,
    schema_version: int,
    tenant: str | None,
    actor: str,
    traceparent: str | None,
    tracestate: str | None,
    payload_bytes: int,
) -> int:
    """An upper bound of the event's message on the bus (body and headers), before the store assigns it a
    version, a position and timestamps. `payload_bytes` is `jsonb_text_bytes` of the stored payload."""
    envelope = {
        "event_id": _UUID,
        "stream_type": stream_type,
        "stream_id": stream_id,
        "version": _WIDEST_INT,
        "position": _WIDEST_INT,
        "event_type": event_type,
        "schema_version": schema_version,
        "occurred_at": _WIDEST_TIMESTAMP,
        "recorded_at": _WIDEST_TIMESTAMP,
        "tenant": tenant,
        "actor": actor,
        "correlation_id": _UUID,
        "causation_id": _UUID,
        "traceparent": traceparent,
        "tracestate": tracestate,
        "payload": None,
    }
    rendered = json.dumps(envelope, ensure_ascii=False, separators=(", ", " : ")).encode("utf-8", "surrogatepass")
    body = len(rendered) - len("null") + payload_bytes
    headers = {
        "Nats-Msg-Id": _UUID,
        "Rinnalla-Event-Type": event_type,
        "Rinnalla-Schema-Version": str(schema_version),
        "Rinnalla-Tenant": tenant or "",
        "traceparent": traceparent or "",
        "tracestate": tracestate or "",
        "Nats-Expected-Stream": _WIDEST_STREAM_NAME,
        "Nats-Expected-Last-Sequence": str(2**64),
    }
    return body + header_bytes(headers)
