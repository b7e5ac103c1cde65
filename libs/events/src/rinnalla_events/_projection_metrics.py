"""Prometheus metrics of projections, in a registry the service chooses (its app's, usually).

Alert on `projection_events_parked_total` increasing (a poison event needs a person) and on
`projection_lag_events` staying high (a read model falling behind).
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class ProjectionMetrics:
    registry: CollectorRegistry
    applied: Counter
    skipped: Counter
    parked: Counter
    batches: Counter
    lag: Gauge
    rebuild_done: Gauge
    rebuild_total: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> ProjectionMetrics:
        reg = registry if registry is not None else CollectorRegistry()
        return cls(
            registry=reg,
            applied=Counter(
                "projection_events_applied",
                "Events whose effect was committed to a read model",
                ["projection"],
                registry=reg,
            ),
            skipped=Counter(
                "projection_events_skipped",
                "Events not applied: already applied (duplicate) or of a type the projection ignores",
                ["projection", "reason"],
                registry=reg,
            ),
            parked=Counter(
                "projection_events_parked",
                "Poison events: decode or apply failed, the event was parked and processing went on",
                ["projection"],
                registry=reg,
            ),
            batches=Counter(
                "projection_batches",
                "Transactions committed by projection runners and rebuilds",
                ["projection"],
                registry=reg,
            ),
            lag=Gauge(
                "projection_lag_events",
                "Events in the source stream not yet applied to the active generation",
                ["projection", "stream"],
                registry=reg,
            ),
            rebuild_done=Gauge(
                "projection_rebuild_events_done",
                "Events applied so far by a running rebuild",
                ["projection"],
                registry=reg,
            ),
            rebuild_total=Gauge(
                "projection_rebuild_events_total",
                "Events a running rebuild has to apply",
                ["projection"],
                registry=reg,
            ),
        )
