"""The network service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet: it declares its event store's migrations and no events, routes or
projections, and runs on the service skeleton like every other service (see README.md).
"""

from __future__ import annotations

from rinnalla_events import SubjectKinds
from rinnalla_runtime.service import ServiceSpec
from rinnalla_service import domainless
from rinnalla_service import service_spec as assemble

from rinnalla_network.consumed import ENROLLMENT_READERS
from rinnalla_network.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "The partner-organisation directory, referrals to social and health services with deadlines and "
    "outcomes, and family-partner (Perhekumppani) relationships."
)


# ADR 0004: referrals name the child, family partners contact the guardians; staff data stays out.
SUBJECT_KINDS = frozenset({SubjectKinds.CHILD, SubjectKinds.GUARDIAN})


def service_spec() -> ServiceSpec:
    return assemble(
        domainless(
            "network",
            default_port=8003,
            description=DESCRIPTION,
            migrations=SCRIPT_LOCATION,
            consumed=lambda: ENROLLMENT_READERS,
            subject_kinds=SUBJECT_KINDS,
        )
    )
