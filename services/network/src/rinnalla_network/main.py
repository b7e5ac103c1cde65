"""The network service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet; until it does, it runs the shell every service has (see README.md).
"""

from __future__ import annotations

from rinnalla_runtime.service import ServiceSpec
from rinnalla_shell import event_log_service

from rinnalla_network.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "The partner-organisation directory, referrals to social and health services with deadlines and "
    "outcomes, and family-partner (Perhekumppani) relationships."
)


def service_spec() -> ServiceSpec:
    return event_log_service("network", default_port=8003, description=DESCRIPTION, migrations=SCRIPT_LOCATION)
