"""The selection pipeline view counts per nominating preschool: its columns change, and `CREATE OR
REPLACE VIEW` cannot drop columns, so the old view goes here; `migrate` creates the new one with the
other dashboard views after the revisions.

Revision ID: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS enrollment_read.v_selection_pipeline")


def downgrade() -> None:
    raise NotImplementedError("rebuild the read model from the log instead")
