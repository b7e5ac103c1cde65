"""The billing service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet: it declares its event store's migrations and no events, routes or
projections, and runs on the service skeleton like every other service (see README.md).
"""

from __future__ import annotations

from rinnalla_runtime.service import ServiceSpec
from rinnalla_service import domainless
from rinnalla_service import service_spec as assemble

from rinnalla_billing.consumed import ENROLLMENT_READERS
from rinnalla_billing.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "Partnership agreements, invoices to municipalities (Peppol BIS 3.0, Finvoice 3.0), the ERP "
    "feed, and social-impact-bond outcome contracts and payments."
)


# ADR 0004: invoices and outcome payments name no person.
SUBJECT_KINDS = frozenset[str]()


def service_spec() -> ServiceSpec:
    return assemble(
        domainless(
            "billing",
            default_port=8004,
            description=DESCRIPTION,
            migrations=SCRIPT_LOCATION,
            consumed=lambda: ENROLLMENT_READERS,
            subject_kinds=SUBJECT_KINDS,
        )
    )
