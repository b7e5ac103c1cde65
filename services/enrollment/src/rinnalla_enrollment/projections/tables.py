"""The read model's tables and the views over them, in the read schema `enrollment_read`.

The tables exist per generation (the projection framework names them `<projection>__g<N>__<table>` in
the event store's schema, and a rebuild builds generation N+1 beside N); readers never see those names.
They read the stable view `enrollment_read.<table>` of each table, which the framework points at the
active generation. The tables hold what the API's read endpoints need (names of children and guardians
included, for the mentor's roster); the identity code only ever masked.

Two of them also answer who may see what (access follows the log, `access_relations`): `team_mentors` (a
mentor reaches a team from `MentorAssigned` until the day of `MentorLeft`) and `guardians` joined with the
child's `born_on` (a guardian reaches a child while named a guardian and until the child's 18th birthday).

The `v_*` views are what dashboards (Grafana, as the read-only role `grafana_reader`) may read: built on
the stable views of the `dash_*` tables, which the projection fills with suppressed counts (`dashboards.py`:
no count of 1-4, and none that can be worked out from the totals shown beside it) and no person's name or
id. A generation switch replaces the stable views in place (`CREATE OR REPLACE`), so the `v_*` views and
their grants carry over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rinnalla_events import Tables, create_schema_sql

READ_SCHEMA = "enrollment_read"
PROJECTION_NAME = "enrollment_read_model"
GRAFANA_ROLE = "grafana_reader"

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
            contact_name   text NOT NULL DEFAULT '',  -- the mentor's work contact, for families and schools
            contact_phone  text NOT NULL DEFAULT '',
            contact_email  text NOT NULL DEFAULT '',
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
            born_on            date,            -- ends the guardians' access on the 18th birthday; never shown
            school_code        text             -- the school's code (oppilaitosnumero), for the school's view
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
    # The dashboards' counts, suppressed (`dashboards.py`): refreshed for a municipality with every event
    # that touches it, so the `v_*` views for Grafana hold no count of 1-4 and none that can be derived.
    "dash_team_overview": lambda table: f"""
        CREATE TABLE {table} (
            municipality_code  text NOT NULL,
            team_id            text PRIMARY KEY,
            county_code        text NOT NULL,
            name               text NOT NULL,
            area               text NOT NULL,
            status             text NOT NULL,
            max_size           integer NOT NULL,
            size               integer,
            with_participation_consent    integer,
            without_participation_consent integer,
            waitlisted         integer,
            lead_mentor_vacant boolean NOT NULL,
            mentor_handovers   integer NOT NULL,
            suppressed         boolean NOT NULL
        )""",
    "dash_consent_coverage": lambda table: f"""
        CREATE TABLE {table} (
            municipality_code text NOT NULL,
            team_id           text NOT NULL,
            purpose           text NOT NULL,
            in_force          integer,
            not_in_force      integer,
            children          integer,
            suppressed        boolean NOT NULL,
            PRIMARY KEY (team_id, purpose)
        )""",
    "dash_enrolment": lambda table: f"""
        CREATE TABLE {table} (
            municipality_code text NOT NULL,
            team_id           text NOT NULL,
            team_name         text NOT NULL,
            cohort            integer,
            status            text NOT NULL,
            children          integer,
            suppressed        boolean NOT NULL
        )""",
    "dash_exits": lambda table: f"""
        CREATE TABLE {table} (
            municipality_code text NOT NULL,
            exit_reason       text,
            children          integer,
            suppressed        boolean NOT NULL
        )""",
    "dash_selection_pipeline": lambda table: f"""
        CREATE TABLE {table} (
            municipality_code  text NOT NULL,
            preschool          text NOT NULL,
            preschool_code     text NOT NULL,
            nominated          integer,
            guardians_informed integer,
            selected           integer,
            waitlisted         integer,
            not_selected       integer,
            enrolled           integer,
            suppressed         boolean NOT NULL
        )""",
}

DASHBOARD_TABLES = ("dash_team_overview", "dash_consent_coverage", "dash_enrolment", "dash_exits",
                    "dash_selection_pipeline")

TABLES = tuple(_TABLE_DDL)


def table_ddl(tables: Tables) -> list[str]:
    """The CREATE statements of one generation of the read model's tables."""
    return [create(tables[name]) for name, create in _TABLE_DDL.items()]


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
IN_FORCE_NOW = "cs.in_force AND (cs.changes_at IS NULL OR cs.changes_at > now())"

# The views for Grafana: the suppressed counts, no person's name or id (not even a mentor's).
VIEWS = {
    "v_team_overview": f"""
        CREATE OR REPLACE VIEW {S}.v_team_overview AS
        SELECT municipality_code, county_code, team_id, name, area, status, max_size, size,
               with_participation_consent, without_participation_consent, waitlisted, lead_mentor_vacant,
               mentor_handovers, suppressed
          FROM {S}.dash_team_overview
        """,
    "v_municipality_enrolment": f"""
        CREATE OR REPLACE VIEW {S}.v_municipality_enrolment AS
        SELECT municipality_code, team_id, team_name, cohort, status, children, suppressed
          FROM {S}.dash_enrolment
        """,
    "v_municipality_exits": f"""
        CREATE OR REPLACE VIEW {S}.v_municipality_exits AS
        SELECT municipality_code, exit_reason, children, suppressed FROM {S}.dash_exits
        """,
    "v_selection_pipeline": f"""
        CREATE OR REPLACE VIEW {S}.v_selection_pipeline AS
        SELECT municipality_code, preschool, preschool_code, {", ".join(PIPELINE_STAGES)}, suppressed
          FROM {S}.dash_selection_pipeline
        """,
    "v_consent_coverage": f"""
        CREATE OR REPLACE VIEW {S}.v_consent_coverage AS
        SELECT municipality_code, team_id, purpose, in_force, not_in_force, children, suppressed
          FROM {S}.dash_consent_coverage
        """,
}


VIEW_SOURCES = {
    "v_team_overview": "dash_team_overview",
    "v_municipality_enrolment": "dash_enrolment",
    "v_municipality_exits": "dash_exits",
    "v_selection_pipeline": "dash_selection_pipeline",
    "v_consent_coverage": "dash_consent_coverage",
}


def dashboard_ddl(views: Iterable[str] = tuple(VIEWS)) -> list[str]:
    """The name-free, suppressed views, each granted to `grafana_reader` by name (idempotent)."""
    chosen = [name for name in VIEWS if name in set(views)]
    if not chosen:
        return []
    granted = ", ".join(f"{S}.{name}" for name in chosen)
    return [*(VIEWS[name] for name in chosen), f"GRANT SELECT ON {granted} TO {GRAFANA_ROLE}"]


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
