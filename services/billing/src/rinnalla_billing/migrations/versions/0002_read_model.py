"""The read schema `billing_read` and the read-only role `grafana_reader` with access to it.

The read models' tables, their stable views and the dashboard views are created by the projection
framework (`migrate` installs the first generation after the revisions).

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

from rinnalla_billing.projections.tables import grafana_role_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in grafana_role_ddl():
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA IF EXISTS billing_read CASCADE")
