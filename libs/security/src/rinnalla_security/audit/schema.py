"""DDL of the `audit` schema: the access log and the disclosure log, apart from the data they describe.

The statements are idempotent, so a service migration can run them on every deploy:

    for statement in AUDIT_DDL:
        op.execute(statement)          # Alembic
    await install_audit_schema(conn)   # or directly with asyncpg

Triggers refuse UPDATE, DELETE and TRUNCATE, so a bug or a careless query cannot rewrite history. Someone
with the rights to disable triggers still can; the hash chain is what makes that visible.
"""

from __future__ import annotations

from typing import Any

# Advisory-lock keys (one 64-bit space per database; these spell "RINNAU" plus a number).
# Installing: CREATE ... IF NOT EXISTS is not safe against itself in two concurrent transactions.
INSTALL_LOCK_KEY = 0x5249_4E4E_4155_0000
# Appending: one lock per chain, see `PostgresAuditLog._append`.
ACCESS_CHAIN_LOCK_KEY = 0x5249_4E4E_4155_0001
DISCLOSURE_CHAIN_LOCK_KEY = 0x5249_4E4E_4155_0002

_ENTRY_COLUMNS = """
    seq                bigint      PRIMARY KEY CHECK (seq > 0),
    occurred_at        timestamptz NOT NULL,
    service            text        NOT NULL,
    request_id         text        NOT NULL,
    actor_id           text        NOT NULL,
    actor_name         text        NOT NULL,
    actor_roles        text[]      NOT NULL,
    actor_organisation text,
    tenants            text[]      NOT NULL,
    subject_id         text        NOT NULL,
    subject_kind       text        NOT NULL,
    purpose            text        NOT NULL,"""

_CHAIN_COLUMNS = """
    prev_hash          text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    row_hash           text        NOT NULL CHECK (row_hash ~ '^[0-9a-f]{64}$')"""

AUDIT_DDL: list[str] = [
    "CREATE SCHEMA IF NOT EXISTS audit",
    f"""CREATE TABLE IF NOT EXISTS audit.access_log ({_ENTRY_COLUMNS}
    action             text        NOT NULL,
    access_kind        text        NOT NULL,
    endpoint           text        NOT NULL,
    client_kind        text        NOT NULL,{_CHAIN_COLUMNS}
)""",
    "CREATE INDEX IF NOT EXISTS access_log_subject ON audit.access_log (subject_id, occurred_at)",
    "CREATE INDEX IF NOT EXISTS access_log_actor ON audit.access_log (actor_id, occurred_at)",
    f"""CREATE TABLE IF NOT EXISTS audit.disclosure_log ({_ENTRY_COLUMNS}
    recipient_organisation text    NOT NULL,
    disclosed          text        NOT NULL,
    consent_id         text,
    legal_basis        text,
    CHECK (consent_id IS NOT NULL OR legal_basis IS NOT NULL),{_CHAIN_COLUMNS}
)""",
    "CREATE INDEX IF NOT EXISTS disclosure_log_subject ON audit.disclosure_log (subject_id, occurred_at)",
    """CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
    """CREATE OR REPLACE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON audit.access_log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()""",
    """CREATE OR REPLACE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON audit.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()""",
    """CREATE OR REPLACE TRIGGER disclosure_log_append_only BEFORE UPDATE OR DELETE ON audit.disclosure_log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()""",
    """CREATE OR REPLACE TRIGGER disclosure_log_no_truncate BEFORE TRUNCATE ON audit.disclosure_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()""",
]


async def install_audit_schema(conn: Any) -> None:
    """Create (or bring up to date) the audit schema on an asyncpg connection, in one transaction."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", INSTALL_LOCK_KEY)
        for statement in AUDIT_DDL:
            await conn.execute(statement)
