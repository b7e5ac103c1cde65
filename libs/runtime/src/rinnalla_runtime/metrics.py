"""Prometheus metrics of one service process, in that process's own registry.

An own registry per app (not the process-global default) lets the dev stack run several services in one
process without their metric names colliding, and lets tests read exactly one app's numbers.

Names and labels are shared by every service (deploy/README.md, "Metrics", lists them): every metric starts with
`rinnalla_` and carries `service`; HTTP metrics add the method, the route template (never the raw path,
which may hold an id) and the status code with its class (`2xx` ... `5xx`). No metric carries a person's id.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.process_collector import ProcessCollector

UNMATCHED_ROUTE = "unmatched"


def status_class(status: int) -> str:
    """`2xx`, `4xx`, ...: what error-rate queries and alerts group by."""
    return f"{status // 100}xx"


@dataclass(frozen=True)
class _Families:
    requests: Counter
    duration: Histogram
    in_progress: Gauge
    readiness: Gauge


# A registry refuses a metric name twice: an app built again on the same registry (a test that builds two
# apps on one service context) shares the families made the first time.
_BY_REGISTRY: weakref.WeakKeyDictionary[CollectorRegistry, _Families] = weakref.WeakKeyDictionary()


def _families(reg: CollectorRegistry) -> _Families:
    found = _BY_REGISTRY.get(reg)
    if found is not None:
        return found
    ProcessCollector(registry=reg)
    found = _Families(
        requests=Counter(
            "rinnalla_http_requests",
            "HTTP requests answered, by route template, status code and status class",
            ["service", "method", "route", "status", "status_class"],
            registry=reg,
        ),
        duration=Histogram(
            "rinnalla_http_request_duration_seconds",
            "Time from request received to response finished",
            ["service", "method", "route"],
            registry=reg,
        ),
        in_progress=Gauge(
            "rinnalla_http_requests_in_progress",
            "HTTP requests being handled right now",
            ["service", "method"],
            registry=reg,
        ),
        readiness=Gauge(
            "rinnalla_readiness_check",
            "1 when the dependency answered at the last /readyz or scrape, 0 when it did not",
            ["service", "check"],
            registry=reg,
        ),
    )
    _BY_REGISTRY[reg] = found
    return found


@dataclass(frozen=True)
class HttpMetrics:
    registry: CollectorRegistry
    service: str
    requests: Counter
    duration: Histogram
    in_progress: Gauge
    readiness: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None, *, service: str = "") -> HttpMetrics:
        reg = registry if registry is not None else CollectorRegistry()
        f = _families(reg)
        return cls(
            registry=reg,
            service=service,
            requests=f.requests,
            duration=f.duration,
            in_progress=f.in_progress,
            readiness=f.readiness,
        )

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(self.service, method, route, str(status), status_class(status)).inc()
        self.duration.labels(self.service, method, route).observe(seconds)

    def record_readiness(self, results: dict[str, str]) -> None:
        for check, result in results.items():
            self.readiness.labels(self.service, check).set(1 if result == "ok" else 0)
