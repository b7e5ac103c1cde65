"""DDL of the `audit` schema: the access log and the disclosure log, apart from the data they describe.

The statements are idempotent, so a service migration can run them on every deploy:

    op.execute(audit_install_sql())    # Alembic: installs, or checks what an administrator installed
    await install_audit_schema(conn)   # or directly with asyncpg, as the tables' owner

Triggers refuse UPDATE, DELETE and TRUNCATE, so a bug or a careless query cannot rewrite history. Only the
tables' owner (or a superuser) can disable triggers. In a deployment that owner is `rinnalla_audit_owner`,
a role nobody logs in as: `audit_owner_sql` (deploy/postgres/initdb.d/30-audit.sql) installs the tables as
that role and gives each service's role SELECT and INSERT only, so the application's own role can append
and read, and can neither change, delete, truncate, alter nor switch off a trigger. What the owner or a
superuser still could do, the keyed chain and the checkpoints outside the database make visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
    row_hash           text        NOT NULL CHECK (row_hash ~ '^[0-9a-f]{64}$'),
    chain_format       smallint    NOT NULL DEFAULT 1 CHECK (chain_format IN (1, 2))"""

AUDIT_OWNER = "rinnalla_audit_owner"
AUDIT_TABLES = ("audit.access_log", "audit.disclosure_log")
# Rows the service roles need to see: every column (the chain is verified by the services' API).
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

AUDIT_TABLE_DDL: list[str] = [
    f"""CREATE TABLE IF NOT EXISTS audit.access_log ({_ENTRY_COLUMNS}
    action             text        NOT NULL,
    access_kind        text        NOT NULL,
    endpoint           text        NOT NULL,
    client_kind        text        NOT NULL,{_CHAIN_COLUMNS}
)""",
    # Tables made before the chain was keyed: their rows are format 1 (plain SHA-256) and stay so.
    """ALTER TABLE audit.access_log
    ADD COLUMN IF NOT EXISTS chain_format smallint NOT NULL DEFAULT 1 CHECK (chain_format IN (1, 2))""",
    "CREATE INDEX IF NOT EXISTS access_log_subject ON audit.access_log (subject_id, occurred_at)",
    "CREATE INDEX IF NOT EXISTS access_log_actor ON audit.access_log (actor_id, occurred_at)",
    f"""CREATE TABLE IF NOT EXISTS audit.disclosure_log ({_ENTRY_COLUMNS}
    recipient_organisation text    NOT NULL,
    disclosed          text        NOT NULL,
    consent_id         text,
    legal_basis        text,
    CHECK (consent_id IS NOT NULL OR legal_basis IS NOT NULL),{_CHAIN_COLUMNS}
)""",
    """ALTER TABLE audit.disclosure_log
    ADD COLUMN IF NOT EXISTS chain_format smallint NOT NULL DEFAULT 1 CHECK (chain_format IN (1, 2))""",
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
    # Nobody but the owner and the roles granted below may touch the logs.
    "REVOKE ALL ON audit.access_log, audit.disclosure_log FROM PUBLIC",
    "REVOKE ALL ON FUNCTION audit.refuse_change() FROM PUBLIC",
]

AUDIT_DDL: list[str] = ["CREATE SCHEMA IF NOT EXISTS audit", *AUDIT_TABLE_DDL]

# The newest column: a migration meeting tables without it knows the administrator's install is outdated.
_NEWEST_COLUMN = "chain_format"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def audit_install_sql() -> str:
    """One statement for a service migration. Where the current role may (development: a superuser; or no
    audit schema yet), it installs `AUDIT_DDL`. Where the schema belongs to a role the current one does not
    act as (a deployment: `rinnalla_audit_owner`), it installs nothing and only checks that the tables are
    there and current, failing with what to run otherwise."""
    statements = " ".join(f"EXECUTE {_literal(statement)};" for statement in AUDIT_TABLE_DDL)
    return f"""DO $rinnalla$
DECLARE
    owner oid := (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'audit');
BEGIN
    IF owner IS NULL THEN
        CREATE SCHEMA audit;
        owner := (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'audit');
    END IF;
    IF pg_catalog.pg_has_role(current_user, owner, 'USAGE') THEN
        {statements}
    ELSIF (SELECT count(*) FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'audit' AND c.relname IN ('access_log', 'disclosure_log')
              AND a.attname = '{_NEWEST_COLUMN}' AND NOT a.attisdropped) < 2 THEN
        RAISE EXCEPTION 'the audit tables are missing or older than this release'
            USING HINT = 'run deploy/postgres/initdb.d/30-audit.sql as a superuser, then migrate again';
    END IF;
END
$rinnalla$"""


def audit_owner_sql(service_roles: Iterable[str]) -> str:
    """What an administrator runs (as a superuser) to install the audit tables owned by `AUDIT_OWNER`, and
    give each service role SELECT and INSERT on them, nothing more. Idempotent: run it again after an
    upgrade that changes the audit tables."""
    roles = sorted(set(service_roles))
    for role in roles:
        if not _ROLE.match(role):
            raise ValueError(f"invalid role name {role!r}")
    lines = [
        "DO $rinnalla$ BEGIN",
        f"    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '{AUDIT_OWNER}') THEN",
        f"        CREATE ROLE {AUDIT_OWNER} NOLOGIN;",
        "    END IF;",
        "    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'audit') THEN",
        f"        CREATE SCHEMA audit AUTHORIZATION {AUDIT_OWNER};",
        "    END IF;",
        "END $rinnalla$;",
        f"ALTER SCHEMA audit OWNER TO {AUDIT_OWNER};",
        "-- Tables an earlier install made as another role (a superuser, a service) pass to the owner.",
        f"ALTER TABLE IF EXISTS audit.access_log OWNER TO {AUDIT_OWNER};",
        f"ALTER TABLE IF EXISTS audit.disclosure_log OWNER TO {AUDIT_OWNER};",
        "DO $rinnalla$ BEGIN",
        "    IF to_regprocedure('audit.refuse_change()') IS NOT NULL THEN",
        f"        ALTER FUNCTION audit.refuse_change() OWNER TO {AUDIT_OWNER};",
        "    END IF;",
        "END $rinnalla$;",
        "",
        f"-- The tables, made as {AUDIT_OWNER} so that it owns them (and their triggers).",
        f"SET ROLE {AUDIT_OWNER};",
    ]
    lines += [" ".join(statement.split()) + ";" for statement in AUDIT_TABLE_DDL]
    lines += ["RESET ROLE;", "", "-- Each service appends and reads; it cannot change, delete, truncate or alter."]
    for role in roles:
        lines += [
            f"GRANT USAGE ON SCHEMA audit TO {role};",
            f"GRANT SELECT, INSERT ON {', '.join(AUDIT_TABLES)} TO {role};",
        ]
    return "\n".join(lines) + "\n"


async def install_audit_schema(conn: Any) -> None:
    """Create (or bring up to date) the audit schema on an asyncpg connection, in one transaction."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", INSTALL_LOCK_KEY)
        for statement in AUDIT_DDL:
            await conn.execute(statement)
