"""Prometheus metrics of one service app, in that app's own registry.

An own registry per app (not the process-global default) lets the dev stack run several services in one
process without their metric names colliding, and lets tests read exactly one app's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.process_collector import ProcessCollector

UNMATCHED_ROUTE = "unmatched"


@dataclass(frozen=True)
class HttpMetrics:
    registry: CollectorRegistry
    requests: Counter
    duration: Histogram
    in_progress: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> HttpMetrics:
        reg = registry if registry is not None else CollectorRegistry()
        ProcessCollector(registry=reg)
        return cls(
            registry=reg,
            requests=Counter(
                "http_requests",
                "HTTP requests answered, by route template and status code",
                ["method", "route", "status"],
                registry=reg,
            ),
            duration=Histogram(
                "http_request_duration_seconds",
                "Time from request received to response finished",
                ["method", "route"],
                registry=reg,
            ),
            in_progress=Gauge(
                "http_requests_in_progress", "HTTP requests being handled right now", ["method"], registry=reg
            ),
        )
