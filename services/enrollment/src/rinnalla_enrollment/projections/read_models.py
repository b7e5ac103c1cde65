"""The enrollment service's projections, and the dashboard views it keeps over their stable views.

The plumbing (first generation, runners, rebuilds, lag) is the service skeleton's (`rinnalla_service`).
"""

from __future__ import annotations

from typing import Any

from rinnalla_events import Projection

from rinnalla_enrollment.projections.enrollment_view import EnrollmentReadModel
from rinnalla_enrollment.projections.tables import READ_SCHEMA, VIEW_SOURCES, dashboard_ddl


def enrollment_projections() -> tuple[Projection, ...]:
    return (EnrollmentReadModel(),)


async def install_dashboard_views(conn: Any) -> None:
    """Views for Grafana over the stable views, with their grants; a rebuild's switch keeps them. A view whose
    `dash_*` table the active generation does not have yet (a deployment from before them) is created by the
    next `migrate` after the worker's rebuild has switched to the new generation."""
    async with conn.transaction():
        present = [
            view for view, source in VIEW_SOURCES.items()
            if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{READ_SCHEMA}.{source}")
        ]
        for statement in dashboard_ddl(present):
            await conn.execute(statement)
