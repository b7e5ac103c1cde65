"""Views for Grafana over the case log's stable views, readable by the read-only role `grafana_reader`.

Only aggregates per team leave through them: the current children, attendance over the last 365 days,
contacts per child per month over the same days, and the means of this year's feedback surveys. A team with
1-4 children shows none of its figures, and when it is the only such team of its municipality the smallest
other team is hidden with it (complementary suppression), so the municipality's total gives nothing away; a
feedback mean of fewer than 5 respondents is hidden. The same rules as `domain.disclosure`, in SQL.
"""

from __future__ import annotations

from typing import Any

from rinnalla_caselog.config import READ_SCHEMA
from rinnalla_caselog.domain.disclosure import SUPPRESS_BELOW

GRAFANA_ROLE = "grafana_reader"
S = READ_SCHEMA
SMALL = f"BETWEEN 1 AND {SUPPRESS_BELOW - 1}"

TEAM_OUTCOMES = f"""
CREATE OR REPLACE VIEW {S}.v_team_outcomes AS
WITH base AS (
    SELECT t.team_id, t.name, t.municipality_code,
           (SELECT count(*) FROM {S}.memberships m WHERE m.team_id = t.team_id AND m.left_on IS NULL) AS children,
           (SELECT count(*) FILTER (WHERE a.present) FROM {S}.attendance a
             WHERE a.team_id = t.team_id AND a.on_day > current_date - 365) AS present,
           (SELECT count(*) FROM {S}.attendance a
             WHERE a.team_id = t.team_id AND a.on_day > current_date - 365) AS expected,
           (SELECT count(*) FROM {S}.contact_children k JOIN {S}.contacts c USING (contact_id)
             WHERE c.team_id = t.team_id AND k.on_day > current_date - 365) AS child_contacts,
           (SELECT avg((a.scores->>'mean')::numeric) FROM {S}.assessments a WHERE a.team_id = t.team_id
               AND a.instrument = 'feedback_child' AND a.wave_year = extract(year FROM current_date)) AS child_mean,
           (SELECT count(*) FROM {S}.assessments a WHERE a.team_id = t.team_id
               AND a.instrument = 'feedback_child' AND a.wave_year = extract(year FROM current_date)) AS child_n,
           (SELECT avg((a.scores->>'mean')::numeric) FROM {S}.assessments a WHERE a.team_id = t.team_id
               AND a.instrument = 'feedback_guardian' AND a.wave_year = extract(year FROM current_date))
               AS guardian_mean,
           (SELECT count(*) FROM {S}.assessments a WHERE a.team_id = t.team_id
               AND a.instrument = 'feedback_guardian' AND a.wave_year = extract(year FROM current_date)) AS guardian_n
      FROM {S}.teams t
),
ranked AS (
    SELECT base.*,
           count(*) FILTER (WHERE children {SMALL}) OVER (PARTITION BY municipality_code) AS small_teams,
           row_number() OVER (PARTITION BY municipality_code
                              ORDER BY (children {SMALL} OR children = 0), children, team_id) AS smallest_other
      FROM base
),
hidden AS (
    SELECT ranked.*,
           (children {SMALL}) OR (small_teams = 1 AND smallest_other = 1 AND children > 0) AS suppressed
      FROM ranked
)
SELECT team_id, name, municipality_code,
       CASE WHEN suppressed THEN NULL ELSE children END AS children,
       CASE WHEN suppressed OR expected = 0 THEN NULL ELSE round(present::numeric / expected, 3) END
           AS attendance_rate,
       CASE WHEN suppressed OR children = 0 THEN NULL ELSE round(child_contacts::numeric / children / 12, 2) END
           AS contacts_per_child_per_month,
       CASE WHEN suppressed OR child_n < {SUPPRESS_BELOW} THEN NULL ELSE round(child_mean, 2) END
           AS child_feedback_mean,
       CASE WHEN suppressed OR guardian_n < {SUPPRESS_BELOW} THEN NULL ELSE round(guardian_mean, 2) END
           AS guardian_feedback_mean,
       suppressed
  FROM hidden
"""


def dashboard_ddl() -> list[str]:
    return [
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GRAFANA_ROLE}') THEN
                  CREATE ROLE {GRAFANA_ROLE} NOLOGIN;
              END IF;
            END $$""",
        TEAM_OUTCOMES,
        f"GRANT USAGE ON SCHEMA {S} TO {GRAFANA_ROLE}",
        f"GRANT SELECT ON {S}.v_team_outcomes TO {GRAFANA_ROLE}",
    ]


async def install_dashboard_views(conn: Any) -> None:
    """After migration, once the read models exist; idempotent (a rebuild's switch keeps the view)."""
    async with conn.transaction():
        for statement in dashboard_ddl():
            await conn.execute(statement)
