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
--   <service>_read    schema of its read models (projections): the only thing Grafana can see.
-- grafana_reader      LOGIN role, read-only, SELECT on the *_read schemas, nothing else.

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

-- A service's connections find its own tables without schema-qualified names.
ALTER ROLE enrollment_owner SET search_path = enrollment, enrollment_read;
ALTER ROLE caselog_owner SET search_path = caselog, caselog_read;
ALTER ROLE network_owner SET search_path = network, network_read;
ALTER ROLE billing_owner SET search_path = billing, billing_read;

-- grafana_reader: read models only, read-only sessions, bounded queries and connections.
-- Default privileges cover read-model tables created later, including blue/green rebuilds.
SELECT format('GRANT USAGE ON SCHEMA %1$I TO grafana_reader; '
              'GRANT SELECT ON ALL TABLES IN SCHEMA %1$I TO grafana_reader; '
              'ALTER DEFAULT PRIVILEGES FOR ROLE %2$I IN SCHEMA %1$I GRANT SELECT ON TABLES TO grafana_reader',
              schema_name, owner)
  FROM (VALUES ('enrollment_read', 'enrollment_owner'), ('caselog_read', 'caselog_owner'),
               ('network_read', 'network_owner'), ('billing_read', 'billing_owner')) AS readable(schema_name, owner)
\gexec

ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
ALTER ROLE grafana_reader SET search_path = enrollment_read, caselog_read, network_read, billing_read;
ALTER ROLE grafana_reader CONNECTION LIMIT 10;
