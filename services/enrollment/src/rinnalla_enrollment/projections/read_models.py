"""The enrollment service's projections, and the dashboard views it keeps over their stable views.

The plumbing (first generation, runners, rebuilds, lag) is the service skeleton's (`rinnalla_service`).
"""

from __future__ import annotations

from typing import Any

from rinnalla_events import Projection

from rinnalla_enrollment.projections.enrollment_view import EnrollmentReadModel
from rinnalla_enrollment.projections.tables import dashboard_ddl


def enrollment_projections() -> tuple[Projection, ...]:
    return (EnrollmentReadModel(),)


async def install_dashboard_views(conn: Any) -> None:
    """Views for Grafana over the stable views, with their grants; a rebuild's switch keeps them."""
    async with conn.transaction():
        for statement in dashboard_ddl():
            await conn.execute(statement)
