-- Which service may read the data keys of which kinds of person (ADR 0004). Run once by a superuser after
-- 10-roles.sql, with psql (15 or newer):
--
--   psql -v ON_ERROR_STOP=1 -d rinnalla -f 20-subject-key-access.sql
--
-- The postgres container image runs it on first start, after 10-roles.sql. Running it again changes nothing.
--
-- A subject's kind is its id's prefix (child-..., guardian-..., mentor-...). Row-level security on
-- keys.subject_keys lets each <service>_owner role see, create and erase the keys of its granted kinds only;
-- a personal field of another kind stays ciphertext for that service, and its key store shows it as
-- "[not disclosed]". Superusers and the table's owner bypass row-level security: the development stack,
-- which connects as a superuser, is not restricted by the database (the key stores still are).
--
-- Everything below the header is generated from the kinds each service declares (`subject_kinds` in its
-- ServiceCore) by `rinnalla_events.subject_kinds.key_access_sql`; a test keeps the two equal.

-- The key table, as every service's first migration creates it.
CREATE SCHEMA IF NOT EXISTS keys;
CREATE TABLE IF NOT EXISTS keys.subject_keys (subject_id text PRIMARY KEY, wrapped_key bytea, created_at timestamptz NOT NULL DEFAULT now(), erased_at timestamptz, CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL)));

-- The kind of a subject: its id's prefix before the first hyphen (child-..., guardian-..., mentor-...).
CREATE OR REPLACE FUNCTION keys.subject_kind(subject_id text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT split_part(subject_id, '-', 1) $$;

-- Deny by default: a role without a policy below sees no key. The table's owner and superusers are not
-- subject to row-level security (the development stack connects as a superuser).
ALTER TABLE keys.subject_keys ENABLE ROW LEVEL SECURITY;

GRANT USAGE ON SCHEMA keys TO billing_owner;
GRANT SELECT, INSERT, UPDATE ON keys.subject_keys TO billing_owner;
GRANT EXECUTE ON FUNCTION keys.subject_kind(text) TO billing_owner;
DROP POLICY IF EXISTS billing_owner_subject_kinds ON keys.subject_keys;
CREATE POLICY billing_owner_subject_kinds ON keys.subject_keys FOR ALL TO billing_owner
    USING (keys.subject_kind(subject_id) = ANY (ARRAY['billing_record']::text[]))
    WITH CHECK (keys.subject_kind(subject_id) = ANY (ARRAY['billing_record']::text[]));

GRANT USAGE ON SCHEMA keys TO caselog_owner;
GRANT SELECT, INSERT, UPDATE ON keys.subject_keys TO caselog_owner;
GRANT EXECUTE ON FUNCTION keys.subject_kind(text) TO caselog_owner;
DROP POLICY IF EXISTS caselog_owner_subject_kinds ON keys.subject_keys;
CREATE POLICY caselog_owner_subject_kinds ON keys.subject_keys FOR ALL TO caselog_owner
    USING (keys.subject_kind(subject_id) = ANY (ARRAY['caselog_record', 'child', 'mentor']::text[]))
    WITH CHECK (keys.subject_kind(subject_id) = ANY (ARRAY['caselog_record', 'child', 'mentor']::text[]));

GRANT USAGE ON SCHEMA keys TO enrollment_owner;
GRANT SELECT, INSERT, UPDATE ON keys.subject_keys TO enrollment_owner;
GRANT EXECUTE ON FUNCTION keys.subject_kind(text) TO enrollment_owner;
DROP POLICY IF EXISTS enrollment_owner_subject_kinds ON keys.subject_keys;
CREATE POLICY enrollment_owner_subject_kinds ON keys.subject_keys FOR ALL TO enrollment_owner
    USING (true)
    WITH CHECK (true);

GRANT USAGE ON SCHEMA keys TO network_owner;
GRANT SELECT, INSERT, UPDATE ON keys.subject_keys TO network_owner;
GRANT EXECUTE ON FUNCTION keys.subject_kind(text) TO network_owner;
DROP POLICY IF EXISTS network_owner_subject_kinds ON keys.subject_keys;
CREATE POLICY network_owner_subject_kinds ON keys.subject_keys FOR ALL TO network_owner
    USING (keys.subject_kind(subject_id) = ANY (ARRAY['child', 'guardian', 'network_record']::text[]))
    WITH CHECK (keys.subject_kind(subject_id) = ANY (ARRAY['child', 'guardian', 'network_record']::text[]));
