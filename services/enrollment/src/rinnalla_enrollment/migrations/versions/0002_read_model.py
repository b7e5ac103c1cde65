"""The read model (schema `enrollment_read`) and the read-only role `grafana_reader` for its views.

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

from rinnalla_enrollment.projections.tables import grafana_ddl, read_model_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in [*read_model_ddl(), *grafana_ddl()]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP SCHEMA IF EXISTS enrollment_read CASCADE")
