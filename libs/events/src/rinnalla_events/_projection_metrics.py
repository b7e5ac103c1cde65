"""Prometheus metrics of projections, labelled by service and projection, in a registry the service chooses
(its worker's, usually: the worker serves them on its own `/metrics`).

A registry refuses a second metric of the same name, so the metrics are made once per registry and shared by
every runner that reports to it; `ProjectionMetrics` binds them to one service's label.

Alert on `rinnalla_projection_events_parked_total` increasing (a poison event needs a person) and on
`rinnalla_projection_lag_events` staying high (a read model falling behind).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class _Families:
    applied: Counter
    skipped: Counter
    parked: Counter
    batches: Counter
    redeliveries: Counter
    lag: Gauge
    rebuild_done: Gauge
    rebuild_total: Gauge


_BY_REGISTRY: weakref.WeakKeyDictionary[CollectorRegistry, _Families] = weakref.WeakKeyDictionary()


def _families(reg: CollectorRegistry) -> _Families:
    found = _BY_REGISTRY.get(reg)
    if found is not None:
        return found
    by_projection = ["service", "projection"]
    found = _Families(
        applied=Counter(
            "rinnalla_projection_events_applied",
            "Events whose effect was committed to a read model",
            by_projection,
            registry=reg,
        ),
        skipped=Counter(
            "rinnalla_projection_events_skipped",
            "Events not applied: already applied (duplicate) or of a type the projection ignores",
            [*by_projection, "reason"],
            registry=reg,
        ),
        parked=Counter(
            "rinnalla_projection_events_parked",
            "Poison events: decode or apply failed, the event was parked and processing went on",
            by_projection,
            registry=reg,
        ),
        batches=Counter(
            "rinnalla_projection_batches",
            "Transactions committed by projection runners and rebuilds",
            by_projection,
            registry=reg,
        ),
        redeliveries=Counter(
            "rinnalla_projection_redeliveries",
            "Messages JetStream delivered to a projection's consumer more than once (not acknowledged in time)",
            by_projection,
            registry=reg,
        ),
        lag=Gauge(
            "rinnalla_projection_lag_events",
            "Events in the source stream not yet applied to the active generation",
            [*by_projection, "stream"],
            registry=reg,
        ),
        rebuild_done=Gauge(
            "rinnalla_projection_rebuild_applied_events",
            "Events applied so far by a running rebuild (0 when none runs)",
            by_projection,
            registry=reg,
        ),
        rebuild_total=Gauge(
            "rinnalla_projection_rebuild_target_events",
            "Events a running rebuild has to apply (0 when none runs)",
            by_projection,
            registry=reg,
        ),
    )
    _BY_REGISTRY[reg] = found
    return found


@dataclass(frozen=True)
class ProjectionMetrics:
    """The projection metrics of one service in one registry."""

    registry: CollectorRegistry
    service: str
    applied: Counter
    skipped: Counter
    parked: Counter
    batches: Counter
    redeliveries: Counter
    lag: Gauge
    rebuild_done: Gauge
    rebuild_total: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None, *, service: str = "") -> ProjectionMetrics:
        reg = registry if registry is not None else CollectorRegistry()
        f = _families(reg)
        return cls(
            registry=reg,
            service=service,
            applied=f.applied,
            skipped=f.skipped,
            parked=f.parked,
            batches=f.batches,
            redeliveries=f.redeliveries,
            lag=f.lag,
            rebuild_done=f.rebuild_done,
            rebuild_total=f.rebuild_total,
        )

    def start(self, projection: str) -> None:
        """Every series of `projection` present from the start (at zero), so queries and alerts see them."""
        for family in (self.applied, self.parked, self.batches, self.redeliveries, self.rebuild_done,
                       self.rebuild_total):  # fmt: skip
            family.labels(self.service, projection)
