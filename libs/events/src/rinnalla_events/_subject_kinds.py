"""Kinds of data subjects, and which service may read the data keys of which kind (ADR 0004).

A subject's kind is the prefix of its id before the first hyphen: `child-092-0001` is a child,
`guardian-092-0001` a guardian, `mentor-0001` a mentor (staff). An id without a hyphen is its own kind,
so no grant of a named kind ever covers it.

PostgreSQL enforces the grants: `key_access_sql` renders row-level security on `keys.subject_keys`, one
policy per service role, so a role sees, creates and erases keys of its granted kinds only. The key store
of each service declares the same kinds (`PostgresKeyStore(readable_kinds=...)`), so a personal field of
a kind it may not read reads as `NOT_DISCLOSED` instead of looking erased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rinnalla_events._ddl import KEYS_DDL

CHILD = "child"
GUARDIAN = "guardian"
MENTOR = "mentor"
# Not a person: the free text of an organisation's record (a partnership, a team), encrypted under a key of
# its own so that it can be shredded like a person's data (free text is personal by default).
RECORD = "record"
# The free text of a record of another service (an agreement's or an invoice's reasons in billing, a
# referral's or a partner's in network, a contact's in caselog): one kind per service, so that granting a
# service its own records' keys grants it no other service's.
BILLING_RECORD = "billing_record"
NETWORK_RECORD = "network_record"
CASELOG_RECORD = "caselog_record"


class SubjectKinds:
    """The kinds of person a service may be granted (ADR 0004): `SubjectKinds.CHILD`, ..."""

    CHILD = CHILD
    GUARDIAN = GUARDIAN
    MENTOR = MENTOR
    RECORD = RECORD
    BILLING_RECORD = BILLING_RECORD
    NETWORK_RECORD = NETWORK_RECORD
    CASELOG_RECORD = CASELOG_RECORD

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


def subject_kind(subject_id: str) -> str:
    """The kind of a subject: its id's prefix before the first hyphen (the same rule as the SQL function)."""
    return subject_id.split("-", 1)[0]


def may_read(readable_kinds: frozenset[str] | None, subject_id: str) -> bool:
    """None means every kind: the service that keeps the register of people (and development tools)."""
    return readable_kinds is None or subject_kind(subject_id) in readable_kinds


def _kinds_array(kinds: Iterable[str]) -> str:
    checked = sorted(set(kinds))
    for kind in checked:
        if not _KIND.match(kind):
            raise ValueError(f"invalid subject kind {kind!r}")
    return "ARRAY[" + ", ".join(f"'{kind}'" for kind in checked) + "]::text[]"


KEY_ACCESS_PREAMBLE = """\
-- The kind of a subject: its id's prefix before the first hyphen (child-..., guardian-..., mentor-...).
CREATE OR REPLACE FUNCTION keys.subject_kind(subject_id text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT split_part(subject_id, '-', 1) $$;

-- Deny by default: a role without a policy below sees no key. The table's owner and superusers are not
-- subject to row-level security (the development stack connects as a superuser).
ALTER TABLE keys.subject_keys ENABLE ROW LEVEL SECURITY;
"""


def role_policy_sql(role: str, kinds: frozenset[str] | None) -> str:
    """One role's grant: read, create and erase the keys of these kinds (None: every kind)."""
    if not _ROLE.match(role):
        raise ValueError(f"invalid role name {role!r}")
    condition = "true" if kinds is None else f"keys.subject_kind(subject_id) = ANY ({_kinds_array(kinds)})"
    policy = f"{role}_subject_kinds"
    return (
        f"GRANT USAGE ON SCHEMA keys TO {role};\n"
        f"GRANT SELECT, INSERT, UPDATE ON keys.subject_keys TO {role};\n"
        f"GRANT EXECUTE ON FUNCTION keys.subject_kind(text) TO {role};\n"
        f"DROP POLICY IF EXISTS {policy} ON keys.subject_keys;\n"
        f"CREATE POLICY {policy} ON keys.subject_keys FOR ALL TO {role}\n"
        f"    USING ({condition})\n"
        f"    WITH CHECK ({condition});\n"
    )


def _keys_table_sql() -> str:
    return "".join(" ".join(statement.split()).replace("( ", "(").replace(" )", ")") + ";\n" for statement in KEYS_DDL)


def key_access_sql(grants: Mapping[str, frozenset[str] | None]) -> str:
    """The key table (as the services' migrations create it) with row-level security for these roles;
    running it again changes nothing."""
    table = "-- The key table, as every service's first migration creates it.\n" + _keys_table_sql()
    parts = [table, KEY_ACCESS_PREAMBLE]
    parts.extend(role_policy_sql(role, kinds) for role, kinds in sorted(grants.items()))
    return "\n".join(parts)
