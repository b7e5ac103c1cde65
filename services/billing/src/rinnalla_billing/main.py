"""The billing service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet; until it does, it runs the shell every service has (see README.md).
"""

from __future__ import annotations

from rinnalla_runtime.service import ServiceSpec
from rinnalla_shell import event_log_service

from rinnalla_billing.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "Partnership agreements, invoices to municipalities (Peppol BIS 3.0, Finvoice 3.0), the ERP "
    "feed, and social-impact-bond outcome contracts and payments."
)


def service_spec() -> ServiceSpec:
    return event_log_service("billing", default_port=8004, description=DESCRIPTION, migrations=SCRIPT_LOCATION)
