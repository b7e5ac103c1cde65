"""The billing service's projections."""

from __future__ import annotations

from typing import Any

from rinnalla_events import Projection

from rinnalla_billing.projections.documents import DocumentsProjection
from rinnalla_billing.projections.enrollment_facts import EnrollmentFactsProjection
from rinnalla_billing.projections.headcount import HeadcountProjection
from rinnalla_billing.projections.sib_figures import SibFiguresProjection
from rinnalla_billing.projections.tables import dashboard_ddl


def billing_projections() -> tuple[Projection, ...]:
    return (EnrollmentFactsProjection(), DocumentsProjection(), SibFiguresProjection(), HeadcountProjection())


async def install_dashboard_views(conn: Any) -> None:
    """Views for Grafana over the stable views, with their grants; a rebuild's switch keeps them."""
    async with conn.transaction():
        for statement in dashboard_ddl():
            await conn.execute(statement)
