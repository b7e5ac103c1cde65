"""The network service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet: it declares its event store's migrations and no events, routes or
projections, and runs on the service skeleton like every other service (see README.md).
"""

from __future__ import annotations

from rinnalla_runtime.service import ServiceSpec
from rinnalla_service import domainless
from rinnalla_service import service_spec as assemble

from rinnalla_network.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "The partner-organisation directory, referrals to social and health services with deadlines and "
    "outcomes, and family-partner (Perhekumppani) relationships."
)


def service_spec() -> ServiceSpec:
    return assemble(domainless("network", default_port=8003, description=DESCRIPTION, migrations=SCRIPT_LOCATION))
