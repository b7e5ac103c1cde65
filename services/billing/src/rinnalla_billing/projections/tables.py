"""Billing's read models live in the schema `billing_read` (stable views over the active generation), with
views for Grafana readable by the read-only role `grafana_reader`. They hold organisations, teams, periods
and money, no person; the counts they show are of documents, except an outcome result's n (participants
measured), which is null, with every figure of that result, below 5 (`SUPPRESSION_THRESHOLD`)."""

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


SUPPRESSION_THRESHOLD = 5
"""Fewer children than this in a team, and its child-years and cost per child-year are not shown."""

CHILD_YEAR_DAYS = "365.25"

TEAM_CHILD_DAYS = f"""
        WITH charged AS (
            SELECT d.municipality_code, d.payer_name, d.payer_business_id, l.team_id, max(l.team_name) AS team_name,
                   min(l.period_start) AS first_day, max(l.period_end) AS last_day,
                   sum(CASE WHEN d.kind = 'credit_note' THEN -abs(l.amount_cents) ELSE l.amount_cents END)
                       AS net_cents
              FROM {S}.document_lines l JOIN {S}.documents d ON d.document_id = l.document_id
             WHERE d.issued_on IS NOT NULL AND d.agreement_id NOT LIKE 'sib:%'
             GROUP BY 1, 2, 3, 4)
        SELECT c.*,
               coalesce((SELECT sum(h.delta * (c.last_day - greatest(h.on_day, c.first_day) + 1))
                           FROM {S}.headcount_changes h
                          WHERE h.team_id = c.team_id AND h.on_day <= c.last_day), 0) AS child_days,
               coalesce((SELECT coalesce(sum(h.delta) FILTER (WHERE h.on_day <= c.first_day), 0)
                                + coalesce(sum(h.delta) FILTER (WHERE h.on_day > c.first_day AND h.delta > 0), 0)
                           FROM {S}.headcount_changes h
                          WHERE h.team_id = c.team_id AND h.on_day <= c.last_day), 0) AS children
          FROM charged c
        """
"""Per payer and team, over the periods invoiced for the team (first to last day): what the payer was
invoiced net of credit notes, the team's child-days, and its children (those in the team on the first day
and those who joined later)."""

VIEWS["v_cost_per_child_year"] = f"""
        CREATE OR REPLACE VIEW {S}.v_cost_per_child_year AS
        SELECT municipality_code, payer_name, payer_business_id, team_id, team_name, first_day, last_day,
               net_cents / 100.0 AS net_eur,
               children < {SUPPRESSION_THRESHOLD} AS suppressed,
               CASE WHEN children >= {SUPPRESSION_THRESHOLD} THEN children END AS children,
               CASE WHEN children >= {SUPPRESSION_THRESHOLD}
                    THEN round(child_days / {CHILD_YEAR_DAYS}, 2) END AS child_years,
               CASE WHEN children >= {SUPPRESSION_THRESHOLD} AND child_days > 0
                    THEN round(net_cents / 100.0 / (child_days / {CHILD_YEAR_DAYS}), 2) END
                   AS cost_per_child_year_eur
          FROM ({TEAM_CHILD_DAYS}) counted
        """
VIEWS["v_sib_results"] = f"""
        CREATE OR REPLACE VIEW {S}.v_sib_results AS
        SELECT r.contract_id, c.municipality_code, r.metric_id, r.metric_name, r.period_id, r.status,
               r.n < 5 AS suppressed,
               CASE WHEN r.n >= 5 THEN r.n END AS n,
               CASE WHEN r.n >= 5 THEN r.value END AS value,
               CASE WHEN r.n >= 5 THEN r.counterfactual END AS counterfactual,
               CASE WHEN r.n >= 5 THEN CASE WHEN r.higher_is_better THEN r.value - r.counterfactual
                                            ELSE r.counterfactual - r.value END END AS improvement,
               r.target,
               CASE WHEN r.n >= 5 THEN r.payment_cents / 100.0 END AS payment_eur,
               CASE WHEN r.n >= 5 AND r.document_id IS NOT NULL THEN coalesce(d.paid_cents, 0) / 100.0 END
                   AS paid_eur
          FROM {S}.sib_results r
          JOIN {S}.sib_contracts c ON c.contract_id = r.contract_id
          LEFT JOIN {S}.documents d ON d.document_id = r.document_id
        """
VIEWS["v_sib_contracts"] = f"""
        CREATE OR REPLACE VIEW {S}.v_sib_contracts AS
        SELECT c.contract_id, c.municipality_code, c.fund_name, c.outcome_payer_name, c.savings_beneficiary_name,
               c.cohort_target, c.horizon_years,
               (SELECT count(*) FROM {S}.sib_results r WHERE r.contract_id = c.contract_id) AS results,
               (SELECT coalesce(sum(r.payment_cents), 0) FROM {S}.sib_results r
                 WHERE r.contract_id = c.contract_id) / 100.0 AS billed_eur,
               (SELECT coalesce(sum(d.paid_cents), 0) FROM {S}.sib_results r
                  JOIN {S}.documents d ON d.document_id = r.document_id
                 WHERE r.contract_id = c.contract_id) / 100.0 AS paid_eur,
               (SELECT coalesce(sum(i.amount_cents), 0) FROM {S}.sib_reinvestments i
                 WHERE i.contract_id = c.contract_id) / 100.0 AS reinvested_eur
          FROM {S}.sib_contracts c
        """


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
