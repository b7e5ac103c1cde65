"""Network's gauge to alert on, counted in its read model at each scrape of the API's /metrics:

- `rinnalla_referrals_overdue{service}`: open referrals past the deadline they wait for (acknowledgement,
  decision or outcome), on the Finnish calendar day of the service clock. Always present (0 when none), so
  the alert rule `RinnallaReferralsOverdue` names a series every scrape shows. One count for the whole
  service: no child, organisation or municipality in its labels (the suppressed dashboard view
  `network_read.v_referral_performance` breaks it down by county and service type).
"""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Gauge
from rinnalla_consent import finnish_day

from rinnalla_network.bootstrap import Network
from rinnalla_network.config import SERVICE_NAME


class OverdueReferrals:
    def __init__(self, network: Network, registry: CollectorRegistry) -> None:
        self._network = network
        self._overdue = Gauge(
            "rinnalla_referrals_overdue",
            "Open referrals past the deadline they wait for (acknowledgement, decision or outcome)",
            ["service"],
            registry=registry,
        )
        self._overdue.labels(SERVICE_NAME).set(0)

    async def refresh(self) -> None:
        today = finnish_day(self._network.clock())
        self._overdue.labels(SERVICE_NAME).set(await self._network.reads.overdue_count(today))


def install_overdue_gauge(app: FastAPI) -> None:
    """Adds the gauge to the API's /metrics (refreshed at each scrape, like the skeleton's alert gauges)."""
    network: Network = app.state.service
    app.state.metrics_refreshers.append(OverdueReferrals(network, app.state.metrics.registry).refresh)
