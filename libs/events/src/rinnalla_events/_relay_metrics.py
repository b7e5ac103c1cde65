"""The relay's Prometheus metrics, labelled by service.

A registry refuses a second metric of the same name, so the metrics are made once per registry and shared
by every relay that reports to it (tests and tools may run several relays in one process).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

_BY_REGISTRY: weakref.WeakKeyDictionary[CollectorRegistry, RelayMetrics] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class RelayMetrics:
    published: Counter
    republished: Counter
    failures: Counter
    lag: Gauge
    last_publish: Gauge
    blocked: Gauge
    placeholders: Counter

    @classmethod
    def for_registry(cls, registry: CollectorRegistry | None = None) -> RelayMetrics:
        target = registry if registry is not None else REGISTRY
        found = _BY_REGISTRY.get(target)
        if found is None:
            found = cls(
                published=Counter(
                    "rinnalla_relay_events_published",
                    "Events the relay published and JetStream acknowledged",
                    ["service"],
                    registry=target,
                ),
                republished=Counter(
                    "rinnalla_relay_events_republished",
                    "Events published again because the stream had lost its tail",
                    ["service"],
                    registry=target,
                ),
                failures=Counter(
                    "rinnalla_relay_failures",
                    "Catch-up passes that failed (NATS or PostgreSQL unavailable) and were retried",
                    ["service"],
                    registry=target,
                ),
                lag=Gauge(
                    "rinnalla_relay_lag_events",
                    "Events in the store after the relay's checkpoint",
                    ["service"],
                    registry=target,
                ),
                last_publish=Gauge(
                    "rinnalla_relay_last_publish_timestamp_seconds",
                    "When the relay last had a batch acknowledged (Unix time)",
                    ["service"],
                    registry=target,
                ),
                blocked=Gauge(
                    "rinnalla_relay_blocked_event_bytes",
                    "An event too large for the bus that the relay stopped at (its size in bytes): alert when present",
                    ["service", "event_id", "stream_type", "stream_id", "event_type"],
                    registry=target,
                ),
                placeholders=Counter(
                    "rinnalla_relay_placeholders_published",
                    "EventTooLargeForBus placeholders published in place of events too large for the bus",
                    ["service"],
                    registry=target,
                ),
            )
            _BY_REGISTRY[target] = found
        return found
