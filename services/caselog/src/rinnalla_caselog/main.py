"""The caselog service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet: it declares its event store's migrations and no events, routes or
projections, and runs on the service skeleton like every other service (see README.md).
"""

from __future__ import annotations

from rinnalla_events import SubjectKinds
from rinnalla_runtime.service import ServiceSpec
from rinnalla_service import domainless
from rinnalla_service import service_spec as assemble

from rinnalla_caselog.consumed import ENROLLMENT_READERS
from rinnalla_caselog.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "The mentor's work per child and team: contacts, attendance, goals, assessments (SDQ and "
    "others), concerns and the marker that a child-welfare notification was filed."
)


# ADR 0004: the mentor's case log knows the children and the staff, not the guardians' details.
SUBJECT_KINDS = frozenset({SubjectKinds.CHILD, SubjectKinds.MENTOR})


def service_spec() -> ServiceSpec:
    return assemble(
        domainless(
            "caselog",
            default_port=8002,
            description=DESCRIPTION,
            migrations=SCRIPT_LOCATION,
            consumed=lambda: ENROLLMENT_READERS,
            subject_kinds=SUBJECT_KINDS,
        )
    )
