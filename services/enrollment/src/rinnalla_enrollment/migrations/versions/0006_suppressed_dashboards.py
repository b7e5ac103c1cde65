"""The dashboard views read suppressed, name-free counts (`dash_*` tables of the read model, version 6):
their columns change, and `CREATE OR REPLACE VIEW` cannot drop columns, so the old views go here (with them
Grafana's access to counts of 1-4 and to the lead mentor's id); `migrate` creates the new ones.

Revision ID: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for view in ("v_team_overview", "v_municipality_enrolment", "v_municipality_exits", "v_selection_pipeline",
                 "v_consent_coverage"):
        op.execute(f"DROP VIEW IF EXISTS enrollment_read.{view}")


def downgrade() -> None:
    raise NotImplementedError("rebuild the read model from the log instead")
