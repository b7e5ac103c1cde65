"""The caselog service's entry point for the stack and the CLI (its `ServiceSpec`).

Its domain has not landed yet; until it does, it runs the shell every service has (see README.md).
"""

from __future__ import annotations

from rinnalla_runtime.service import ServiceSpec
from rinnalla_shell import event_log_service

from rinnalla_caselog.migrations import SCRIPT_LOCATION

DESCRIPTION = (
    "The mentor's work per child and team: contacts, attendance, goals, assessments (SDQ and "
    "others), concerns and the marker that a child-welfare notification was filed."
)


def service_spec() -> ServiceSpec:
    return event_log_service("caselog", default_port=8002, description=DESCRIPTION, migrations=SCRIPT_LOCATION)
