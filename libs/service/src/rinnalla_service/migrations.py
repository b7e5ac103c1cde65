"""The first revision every service's migrations start with: its event store, the shared key table and
audit logs. The relay is woken by the store after each commit (ADR 0007); installations that got the
NOTIFY trigger from an earlier version of this revision lose it on their next `migrate`."""

from __future__ import annotations

from collections.abc import Callable

from rinnalla_events import store_ddl
from rinnalla_security import audit_install_sql

Step = Callable[[], None]


def event_store_statements(schema: str) -> list[str]:
    """The DDL, in order. The advisory lock serialises services migrating the shared schemas at once."""
    return [
        "SELECT pg_advisory_xact_lock(hashtext('rinnalla.ddl'))",
        *store_ddl(schema),
        audit_install_sql(),
    ]


def drop_relay_trigger(schema: str) -> str:
    """The statement that removes the append trigger earlier revisions installed (ADR 0007)."""
    return f"DROP TRIGGER IF EXISTS events_appended_notify ON {schema}.events"


def event_store_revision(schema: str) -> tuple[Step, Step]:
    """`upgrade, downgrade = event_store_revision("caselog")` in a service's revision 0001."""

    def upgrade() -> None:
        from alembic import op  # only inside a running migration is `op` bound to a connection

        for statement in event_store_statements(schema):
            op.execute(statement)

    def downgrade() -> None:
        raise NotImplementedError("the event log is never dropped by a migration")

    return upgrade, downgrade
