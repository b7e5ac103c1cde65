"""Billing's read models live in the schema `billing_read` (stable views over the active generation), with
views for Grafana readable by the read-only role `grafana_reader`. They hold organisations, teams, periods
and money, no person; the one count they show (invoices per status) is of documents, not of people."""

from __future__ import annotations

READ_SCHEMA = "billing_read"
GRAFANA_ROLE = "grafana_reader"
S = READ_SCHEMA

VIEWS: dict[str, str] = {
    "v_receivables": f"""
        CREATE OR REPLACE VIEW {S}.v_receivables AS
        SELECT municipality_code, payer_name, payer_business_id,
               CASE WHEN current_date <= due_on THEN 'not_due'
                    WHEN current_date - due_on <= 30 THEN '1_30'
                    WHEN current_date - due_on <= 60 THEN '31_60'
                    WHEN current_date - due_on <= 90 THEN '61_90'
                    ELSE 'over_90' END AS bucket,
               count(*) AS invoices,
               sum(total_cents + vat_cents - credited_cents - paid_cents) / 100.0 AS open_eur
          FROM {S}.documents
         WHERE kind = 'invoice' AND issued_on IS NOT NULL
           AND total_cents + vat_cents - credited_cents - paid_cents > 0
         GROUP BY 1, 2, 3, 4
        """,
    "v_payer_charges": f"""
        CREATE OR REPLACE VIEW {S}.v_payer_charges AS
        SELECT d.municipality_code, d.payer_name, d.payer_business_id, l.team_id, l.team_name, l.period,
               min(l.period_start) AS period_start,
               sum(CASE WHEN d.kind = 'credit_note' THEN -abs(l.amount_cents) ELSE l.amount_cents END) / 100.0
                   AS net_eur
          FROM {S}.document_lines l JOIN {S}.documents d ON d.document_id = l.document_id
         WHERE d.issued_on IS NOT NULL
         GROUP BY 1, 2, 3, 4, 5, 6
        """,
    "v_invoicing_by_month": f"""
        CREATE OR REPLACE VIEW {S}.v_invoicing_by_month AS
        SELECT municipality_code, date_trunc('month', issued_on)::date AS month, kind,
               count(*) AS documents,
               sum(total_cents + vat_cents) / 100.0 AS gross_eur,
               sum(paid_cents) / 100.0 AS paid_eur
          FROM {S}.documents
         WHERE issued_on IS NOT NULL
         GROUP BY 1, 2, 3
        """,
}


def dashboard_ddl() -> list[str]:
    """The views over the stable views, readable by `grafana_reader` (idempotent)."""
    views = ", ".join(f"{S}.{name}" for name in VIEWS)
    return [*VIEWS.values(), f"GRANT SELECT ON {views} TO {GRAFANA_ROLE}"]


def grafana_role_ddl() -> list[str]:
    """The read-only role (NOLOGIN here: a login role is given membership) and its access to the schema."""
    return [
        # not `CREATE SCHEMA IF NOT EXISTS`, which needs the CREATE privilege on the database even when the
        # schema exists: in a deployment the roles script made it, and the service's role may not create one
        f"""DO $billing$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '{S}') THEN
                  CREATE SCHEMA {S};
              END IF;
            END $billing$""",
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GRAFANA_ROLE}') THEN
                  CREATE ROLE {GRAFANA_ROLE} NOLOGIN;
              END IF;
            END $$""",
        f"GRANT USAGE ON SCHEMA {S} TO {GRAFANA_ROLE}",
    ]
