"""The event store (schema `enrollment`, per-person keys in `keys`) and the audit logs (schema `audit`).

Revision ID: 0001
"""

from __future__ import annotations

from alembic import op
from rinnalla_events import store_ddl
from rinnalla_security import audit_install_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SELECT pg_advisory_xact_lock(hashtext('rinnalla.ddl'))")  # shared schemas: keys, audit
    for statement in [*store_ddl("enrollment"), audit_install_sql()]:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the event log is never dropped by a migration")
