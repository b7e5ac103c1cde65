"""Gauges to alert on, counted in the service's database when /metrics is scraped, so the API shows what
its worker process ran into:

- `rinnalla_projection_parked_events{service,projection}`: events a read model parked because it could
  not apply them (unresolved); above zero the read model has diverged from the log and needs a person
  (`list_parked`, fix, `retry_parked` or a rebuild).
- `rinnalla_relay_blocked_event_bytes{service,event_id,stream_type,stream_id,event_type}`: the next event
  to publish is larger than the bus carries; the relay is stopped before it until an operator runs
  `rinnalla relay publish-placeholder` (ADR 0006).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Gauge

if TYPE_CHECKING:
    from rinnalla_service.runtime import ServiceRuntime


class AlertGauges:
    def __init__(self, runtime: ServiceRuntime, registry: CollectorRegistry) -> None:
        self._runtime = runtime
        self._parked = Gauge(
            "rinnalla_projection_parked_events",
            "Events a projection parked because it could not apply them and that are not resolved yet",
            ["service", "projection"],
            registry=registry,
        )
        self._blocked = Gauge(
            "rinnalla_relay_blocked_event_bytes",
            "An event too large for the bus that the relay is stopped at (its size in bytes): alert when present",
            ["service", "event_id", "stream_type", "stream_id", "event_type"],
            registry=registry,
        )

    async def refresh(self) -> None:
        runtime = self._runtime
        if runtime.read_models.projections:
            parked = await runtime.parked_counts()
            names = {p.name for p in runtime.read_models.projections} | set(parked)
            for name in sorted(names):
                self._parked.labels(runtime.name, name).set(parked.get(name, 0))
        blocked = await runtime.blocking_event()
        self._blocked.clear()
        if blocked is not None:
            self._blocked.labels(
                runtime.name, blocked.event_id, blocked.stream_type, blocked.stream_id, blocked.event_type
            ).set(blocked.size)
