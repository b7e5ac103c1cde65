"""The read model moves to the shared projection framework: drop the hand-made read-model tables of
earlier deployments (the framework rebuilds the rows from the log, into tables of its own behind views
of the same names), and wake the relay on every append.

Revision ID: 0003
"""

from __future__ import annotations

from alembic import op
from rinnalla_events import notify_trigger_ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD_VIEWS = ("v_team_overview", "v_municipality_enrolment", "v_municipality_exits", "v_selection_pipeline",
              "v_consent_coverage")
_OLD_TABLES = ("partnerships", "teams", "team_mentors", "children", "guardians", "consent_facts", "consent_status",
               "checkpoint")


def upgrade() -> None:
    for view in _OLD_VIEWS:
        op.execute(f"DROP VIEW IF EXISTS enrollment_read.{view}")
    for table in _OLD_TABLES:
        # only tables: after this revision the same names are the framework's views
        op.execute(
            f"""DO $$ BEGIN
                  IF to_regclass('enrollment_read.{table}') IS NOT NULL
                     AND (SELECT relkind FROM pg_class WHERE oid = to_regclass('enrollment_read.{table}')) = 'r'
                  THEN DROP TABLE enrollment_read.{table};
                  END IF;
                END $$"""
        )
    # Commands are rare (people enrol children), so a NOTIFY per append costs nothing that matters here,
    # and the relay publishes at once instead of at its next poll.
    for statement in notify_trigger_ddl("enrollment"):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("rebuild the read model from the log instead")
