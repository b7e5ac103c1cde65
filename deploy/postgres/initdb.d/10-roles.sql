-- Roles and schemas of a Rinnalla database. Run once by a superuser, with psql (15 or newer):
--
--   ENROLLMENT_DB_PASSWORD=... CASELOG_DB_PASSWORD=... NETWORK_DB_PASSWORD=... BILLING_DB_PASSWORD=... \
--   GRAFANA_READER_PASSWORD=... psql -v ON_ERROR_STOP=1 -d rinnalla -f 10-roles.sql
--
-- The postgres container image runs it on first start (it is mounted at /docker-entrypoint-initdb.d).
-- Running it again changes nothing that exists (passwords are set again).
--
-- Layout, one service at a time (services never read each other's tables):
--   <service>_owner   LOGIN role the service's API, worker and migrations connect as (DATABASE_URL).
--   <service>         schema of its event store, outbox, checkpoints and Alembic version table.
--   <service>_read    schema of its read models (projections); Grafana sees only the views in it that the
--                     service's migrations grant it by name (suppressed counts, no names).
-- keys                schema of the per-person key table (20-subject-key-access.sql makes the table).
-- audit               schema of the access and disclosure logs, owned by rinnalla_audit_owner, a role nobody
--                     logs in as (30-audit.sql makes the tables as that role): the services may append and
--                     read, and cannot change, delete, truncate, alter, or switch a trigger off.
-- grafana_reader      LOGIN role, read-only, USAGE on the *_read schemas; SELECT only where a migration grants
--                     it on a named view. Nothing here grants it any table.

\set ON_ERROR_STOP on

\getenv enrollment_password ENROLLMENT_DB_PASSWORD
\getenv caselog_password CASELOG_DB_PASSWORD
\getenv network_password NETWORK_DB_PASSWORD
\getenv billing_password BILLING_DB_PASSWORD
\getenv grafana_password GRAFANA_READER_PASSWORD

-- Nobody but the roles below may connect, and nobody creates objects in the public schema.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- One owner role per service. format(%L) quotes the password; psql's :'var' interpolation
-- does not reach inside the dollar-quoted bodies of DO blocks, hence SELECT ... \gexec.
SELECT format('CREATE ROLE %I LOGIN', name)
  FROM (VALUES ('enrollment_owner'), ('caselog_owner'), ('network_owner'), ('billing_owner'), ('grafana_reader'))
       AS wanted(name)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec

-- The owner of the audit logs: no login, no member. Only a superuser acts as it (SET ROLE in 30-audit.sql).
SELECT 'CREATE ROLE rinnalla_audit_owner NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rinnalla_audit_owner') \gexec
ALTER ROLE rinnalla_audit_owner NOLOGIN;

ALTER ROLE enrollment_owner PASSWORD :'enrollment_password';
ALTER ROLE caselog_owner PASSWORD :'caselog_password';
ALTER ROLE network_owner PASSWORD :'network_password';
ALTER ROLE billing_owner PASSWORD :'billing_password';
ALTER ROLE grafana_reader PASSWORD :'grafana_password';

SELECT format('GRANT CONNECT ON DATABASE %I TO enrollment_owner, caselog_owner, network_owner, billing_owner, '
              'grafana_reader', current_database()) \gexec

-- Each service owns its two schemas; its migrations create everything inside them.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', schema_name, owner)
  FROM (VALUES ('enrollment', 'enrollment_owner'), ('enrollment_read', 'enrollment_owner'),
               ('caselog', 'caselog_owner'), ('caselog_read', 'caselog_owner'),
               ('network', 'network_owner'), ('network_read', 'network_owner'),
               ('billing', 'billing_owner'), ('billing_read', 'billing_owner')) AS wanted(schema_name, owner)
\gexec

-- The schemas every service shares. A service role has no CREATE on the database, so they must exist before
-- its first migration: the key table's (owned by whoever runs this script, see 20-subject-key-access.sql)
-- and the audit logs' (owned by rinnalla_audit_owner, see 30-audit.sql).
CREATE SCHEMA IF NOT EXISTS keys;
CREATE SCHEMA IF NOT EXISTS audit AUTHORIZATION rinnalla_audit_owner;
ALTER SCHEMA audit OWNER TO rinnalla_audit_owner;

-- A service's connections find its own tables without schema-qualified names.
ALTER ROLE enrollment_owner SET search_path = enrollment, enrollment_read;
ALTER ROLE caselog_owner SET search_path = caselog, caselog_read;
ALTER ROLE network_owner SET search_path = network, network_read;
ALTER ROLE billing_owner SET search_path = billing, billing_read;

-- grafana_reader: read-only sessions, bounded queries and connections, and only the views each service's
-- migrations grant it by name (`GRANT SELECT ON <view> TO grafana_reader`): suppressed counts without names
-- or contact details. It gets no table, nothing by default, and nothing in any other schema. The REVOKEs
-- take back the blanket grants an earlier version of this script gave (run `rinnalla migrate` afterwards:
-- it grants the views again).
SELECT format('GRANT USAGE ON SCHEMA %1$I TO grafana_reader; '
              'REVOKE ALL ON ALL TABLES IN SCHEMA %1$I FROM grafana_reader; '
              'ALTER DEFAULT PRIVILEGES FOR ROLE %2$I IN SCHEMA %1$I REVOKE SELECT ON TABLES FROM grafana_reader',
              schema_name, owner)
  FROM (VALUES ('enrollment_read', 'enrollment_owner'), ('caselog_read', 'caselog_owner'),
               ('network_read', 'network_owner'), ('billing_read', 'billing_owner')) AS readable(schema_name, owner)
\gexec

ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
ALTER ROLE grafana_reader SET search_path = enrollment_read, caselog_read, network_read, billing_read;
ALTER ROLE grafana_reader CONNECTION LIMIT 10;
