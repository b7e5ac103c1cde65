"""The read model's tables and the views over them, in the read schema `enrollment_read`.

The tables exist per generation (the projection framework names them `<projection>__g<N>__<table>` in
the event store's schema, and a rebuild builds generation N+1 beside N); readers never see those names.
They read the stable view `enrollment_read.<table>` of each table, which the framework points at the
active generation. The tables hold what the API's read endpoints need (names of children and guardians
included, for the mentor's roster); the identity code only ever masked.

Two of them also answer who may see what (access follows the log, `access_relations`): `team_mentors` (a
mentor reaches a team from `MentorAssigned` until the day of `MentorLeft`) and `guardians` joined with the
child's `born_on` (a guardian reaches a child while named a guardian and until the child's 18th birthday).

The `v_*` views are built on the stable views and hold no names: they are what dashboards (Grafana, as
the read-only role `grafana_reader`) may read. A generation switch replaces the stable views in place
(`CREATE OR REPLACE`), so the `v_*` views and their grants carry over. The municipality views suppress
every count below 5, so that no child can be singled out.
"""

from __future__ import annotations

from collections.abc import Callable

from rinnalla_events import Tables, create_schema_sql

from rinnalla_enrollment.domain.upcasters import UNKNOWN_PRESCHOOL

READ_SCHEMA = "enrollment_read"
PROJECTION_NAME = "enrollment_read_model"
GRAFANA_ROLE = "grafana_reader"
SUPPRESS_BELOW = 5

S = READ_SCHEMA

_TABLE_DDL: dict[str, Callable[[str], str]] = {
    "partnerships": lambda table: f"""
        CREATE TABLE {table} (
            partnership_id    text PRIMARY KEY,
            municipality_code text NOT NULL,
            county_code       text NOT NULL,
            status            text NOT NULL,
            team_count        integer NOT NULL DEFAULT 0,
            opened_on         date NOT NULL
        )""",
    "teams": lambda table: f"""
        CREATE TABLE {table} (
            team_id            text PRIMARY KEY,
            partnership_id     text,
            name               text NOT NULL,
            municipality_code  text NOT NULL,
            county_code        text NOT NULL,
            area               text NOT NULL,
            main_school        text NOT NULL,
            status             text NOT NULL,
            max_size           integer NOT NULL,
            founded_on         date NOT NULL,
            activated_on       date,
            cohort_birth_years integer[] NOT NULL,
            sport              text
        )""",
    "team_mentors": lambda table: f"""
        CREATE TABLE {table} (
            team_id        text NOT NULL,
            mentor_id      text NOT NULL,
            role           text NOT NULL,
            started_on     date NOT NULL,
            ended_on       date,
            end_reason     text,
            predecessor_id text,
            successor_id   text,
            PRIMARY KEY (team_id, mentor_id, started_on)
        )""",
    "children": lambda table: f"""
        CREATE TABLE {table} (
            child_id           text PRIMARY KEY,
            municipality_code  text NOT NULL,
            status             text NOT NULL,
            team_id            text,            -- the current team, or the last one after an exit
            considered_team_id text,            -- the team of the nomination, selection or waiting list
            given_names        text NOT NULL,
            family_name        text NOT NULL,
            birth_year         integer,
            hetu_masked        text,
            school_name        text,
            class_name         text,
            nominated_on       date NOT NULL,
            guardians_informed_on date,
            decided_on         date,
            enrolled_on        date,
            ended_on           date,
            exit_reason        text,
            completion_outcome text,
            preschool          text NOT NULL,   -- the nominating preschool (esikoulu): name, and code if known
            preschool_code     text NOT NULL,
            born_on            date             -- ends the guardians' access on the 18th birthday; never shown
        )""",
    "guardians": lambda table: f"""
        CREATE TABLE {table} (
            child_id    text NOT NULL,
            guardian_id text NOT NULL,
            ordinal     integer NOT NULL,
            given_names text NOT NULL,
            family_name text NOT NULL,
            phone       text NOT NULL,
            email       text NOT NULL,
            PRIMARY KEY (child_id, guardian_id)
        )""",
    "consent_facts": lambda table: f"""
        CREATE TABLE {table} (
            child_id text NOT NULL,
            seq      integer NOT NULL,
            fact     jsonb NOT NULL,
            PRIMARY KEY (child_id, seq)
        )""",
    "consent_status": lambda table: f"""
        CREATE TABLE {table} (
            child_id     text NOT NULL,
            purpose      text NOT NULL,
            in_force     boolean NOT NULL,
            consent_id   text,
            reason       text NOT NULL,
            evaluated_at timestamptz NOT NULL,
            changes_at   timestamptz,
            PRIMARY KEY (child_id, purpose)
        )""",
}

TABLES = tuple(_TABLE_DDL)


def table_ddl(tables: Tables) -> list[str]:
    """The CREATE statements of one generation of the read model's tables."""
    return [create(tables[name]) for name, create in _TABLE_DDL.items()]


def _suppressed(expression: str) -> str:
    return f"CASE WHEN {expression} < {SUPPRESS_BELOW} THEN NULL ELSE {expression} END"


def _hidden(count: str) -> str:
    # Zero singles out no one; 1-4 children could be recognised, so those counts are hidden.
    return f"{count} BETWEEN 1 AND {SUPPRESS_BELOW - 1}"


def _shown(count: str) -> str:
    return f"CASE WHEN {_hidden(count)} THEN NULL ELSE {count} END"


# The pipeline view reads the preschool through the row as JSON, so that it also stands over a generation
# of the read model from before the preschool column (version 1): there every child reads as from an
# unknown preschool until the rebuild to version 2 switches the stable views.

# Stage of the selection pipeline -> the children it counts. Enrolled counts everyone who went on to a
# team from the nomination, also those who have since left it or completed the programme.
PIPELINE_STAGES = {
    "nominated": "c.status = 'nominated'",
    "guardians_informed": "c.status = 'offered'",
    "selected": "c.status = 'selected'",
    "waitlisted": "c.status = 'waitlisted'",
    "not_selected": "c.status = 'not_selected'",
    "enrolled": "c.status IN ('active', 'exited', 'completed')",
}

# A stored consent status counts only until time alone may change it (an expiry, the 18th birthday).
_IN_FORCE_NOW = "cs.in_force AND (cs.changes_at IS NULL OR cs.changes_at > now())"

VIEWS = {
    "v_team_overview": f"""
        CREATE OR REPLACE VIEW {S}.v_team_overview AS
        SELECT t.team_id, t.municipality_code, t.county_code, t.name, t.area, t.status, t.max_size,
               coalesce(r.size, 0) AS size,
               coalesce(r.size, 0) BETWEEN 15 AND 25 AS within_target_size,
               lead.mentor_id AS lead_mentor_id,
               lead.mentor_id IS NULL AND t.status IN ('forming', 'active') AS lead_mentor_vacant,
               coalesce(h.handovers, 0) AS mentor_handovers,
               coalesce(w.waitlisted, 0) AS waitlisted,
               coalesce(r.with_participation_consent, 0) AS with_participation_consent,
               CASE WHEN coalesce(r.size, 0) = 0 THEN NULL
                    ELSE round(100.0 * r.with_participation_consent / r.size, 1) END AS consent_coverage_percent
          FROM {S}.teams t
          LEFT JOIN (
                SELECT c.team_id, count(*) AS size,
                       count(*) FILTER (WHERE {_IN_FORCE_NOW}) AS with_participation_consent
                  FROM {S}.children c
                  LEFT JOIN {S}.consent_status cs ON cs.child_id = c.child_id AND cs.purpose = 'participation'
                 WHERE c.status = 'active' GROUP BY c.team_id) r ON r.team_id = t.team_id
          LEFT JOIN {S}.team_mentors lead
                 ON lead.team_id = t.team_id AND lead.role = 'lead' AND lead.ended_on IS NULL
          LEFT JOIN (SELECT team_id, count(*) AS handovers FROM {S}.team_mentors
                      WHERE end_reason = 'handed_over' GROUP BY team_id) h ON h.team_id = t.team_id
          LEFT JOIN (SELECT considered_team_id AS team_id, count(*) AS waitlisted FROM {S}.children
                      WHERE status = 'waitlisted' GROUP BY considered_team_id) w ON w.team_id = t.team_id
        """,
    "v_municipality_enrolment": f"""
        CREATE OR REPLACE VIEW {S}.v_municipality_enrolment AS
        SELECT t.municipality_code, t.team_id, t.name AS team_name, c.birth_year AS cohort, c.status,
               {_suppressed("count(*)")} AS children,
               count(*) < {SUPPRESS_BELOW} AS suppressed
          FROM {S}.children c JOIN {S}.teams t ON t.team_id = c.team_id
         WHERE c.status IN ('active', 'exited', 'completed')
         GROUP BY t.municipality_code, t.team_id, t.name, c.birth_year, c.status
        """,
    "v_municipality_exits": f"""
        CREATE OR REPLACE VIEW {S}.v_municipality_exits AS
        SELECT c.municipality_code, c.exit_reason,
               {_suppressed("count(*)")} AS children,
               count(*) < {SUPPRESS_BELOW} AS suppressed
          FROM {S}.children c
         WHERE c.status = 'exited'
         GROUP BY c.municipality_code, c.exit_reason
        """,
    "v_selection_pipeline": f"""
        CREATE OR REPLACE VIEW {S}.v_selection_pipeline AS
        SELECT municipality_code, preschool, preschool_code,
               {", ".join(f"{_shown(column)} AS {column}" for column in PIPELINE_STAGES)},
               {" OR ".join(_hidden(column) for column in PIPELINE_STAGES)} AS suppressed
          FROM (SELECT c.municipality_code, c.preschool, c.preschool_code,
                       {", ".join(f"count(*) FILTER (WHERE {test}) AS {column}"
                                  for column, test in PIPELINE_STAGES.items())}
                  FROM (SELECT municipality_code, status,
                               coalesce(to_jsonb(child) ->> 'preschool', '{UNKNOWN_PRESCHOOL}') AS preschool,
                               coalesce(to_jsonb(child) ->> 'preschool_code', '') AS preschool_code
                          FROM {S}.children child) c
                 GROUP BY c.municipality_code, c.preschool, c.preschool_code) counts
        """,
    "v_consent_coverage": f"""
        CREATE OR REPLACE VIEW {S}.v_consent_coverage AS
        SELECT c.municipality_code, c.team_id, cs.purpose,
               count(*) FILTER (WHERE {_IN_FORCE_NOW}) AS in_force,
               count(*) AS children
          FROM {S}.children c JOIN {S}.consent_status cs ON cs.child_id = c.child_id
         WHERE c.status = 'active'
         GROUP BY c.municipality_code, c.team_id, cs.purpose
        """,
}


def dashboard_ddl() -> list[str]:
    """The name-free views over the stable views, readable by `grafana_reader` (idempotent)."""
    views = ", ".join(f"{S}.{name}" for name in VIEWS)
    return [*VIEWS.values(), f"GRANT SELECT ON {views} TO {GRAFANA_ROLE}"]


def grafana_role_ddl() -> list[str]:
    """The read-only role (NOLOGIN: give a login role membership) and its access to the read schema."""
    return [
        create_schema_sql(S),  # in a deployment the roles script made it: the service role may not
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GRAFANA_ROLE}') THEN
                  CREATE ROLE {GRAFANA_ROLE} NOLOGIN;
              END IF;
            END $$""",
        f"GRANT USAGE ON SCHEMA {S} TO {GRAFANA_ROLE}",
    ]
