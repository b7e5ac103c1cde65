"""Referral performance for dashboards (Grafana, as the read-only role `grafana_reader`): name-free views
over the stable views of the read schema, every group below 5 referrals suppressed so that no child or
family can be singled out. A generation switch replaces the stable views in place, so these views and their
grants carry over."""

from __future__ import annotations

from typing import Any

from rinnalla_network.config import READ_SCHEMA

GRAFANA_ROLE = "grafana_reader"
SUPPRESS_BELOW = 5
S = READ_SCHEMA

_OPEN = "status IN ('sent', 'received', 'accepted', 'in_progress')"
_DUE = ("CASE status WHEN 'sent' THEN acknowledge_by WHEN 'received' THEN decide_by ELSE outcome_by END")


def _days(column: str, only: str = "true") -> str:
    """The median days from sending to `column` over the referrals that reached it (and match `only`)."""
    return (f"round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM {column} - sent_at) / 86400)"
            f" FILTER (WHERE {column} IS NOT NULL AND {only}))::numeric, 1)")


def _shown(count: str) -> str:
    """A count inside a shown group, hidden (NULL) when it is 1 to SUPPRESS_BELOW - 1."""
    return f"CASE WHEN {count} BETWEEN 1 AND {SUPPRESS_BELOW - 1} THEN NULL ELSE {count} END"


VIEWS: dict[str, str] = {
    "v_referral_performance": f"""
        CREATE OR REPLACE VIEW {S}.v_referral_performance AS
        SELECT county_code, service_type,
               count(*) AS referrals,
               {_shown(f"count(*) FILTER (WHERE {_OPEN})")} AS open,
               {_shown(f"count(*) FILTER (WHERE {_OPEN} AND {_DUE} < current_date)")} AS overdue,
               {_days("received_at")} AS median_days_to_acknowledgement,
               {_days("decided_at")} AS median_days_to_decision,
               {_days("closed_at", "status = 'completed'")} AS median_days_to_outcome
          FROM {S}.referrals
         GROUP BY county_code, service_type
        HAVING count(*) >= {SUPPRESS_BELOW}
        """,
    "v_referral_outcomes": f"""
        CREATE OR REPLACE VIEW {S}.v_referral_outcomes AS
        SELECT county_code, service_type, coalesce(outcome, status) AS outcome, count(*) AS referrals
          FROM {S}.referrals
         WHERE status NOT IN ('sent', 'received', 'accepted', 'in_progress')
         GROUP BY county_code, service_type, coalesce(outcome, status)
        HAVING count(*) >= {SUPPRESS_BELOW}
        """,
}


def dashboard_ddl() -> list[str]:
    views = ", ".join(f"{S}.{name}" for name in VIEWS)
    return [
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GRAFANA_ROLE}') THEN
                  CREATE ROLE {GRAFANA_ROLE} NOLOGIN;
              END IF;
            END $$""",
        *VIEWS.values(),
        f"GRANT USAGE ON SCHEMA {S} TO {GRAFANA_ROLE}",
        f"GRANT SELECT ON {views} TO {GRAFANA_ROLE}",
    ]


async def install_dashboard_views(conn: Any) -> None:
    async with conn.transaction():
        for statement in dashboard_ddl():
            await conn.execute(statement)
