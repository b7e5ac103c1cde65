"""Token claims -> Principal. The claim names are what an IdP's protocol mappers should emit:

| claim         | meaning                                                     |
|---------------|-------------------------------------------------------------|
| `sub`         | user or client id                                           |
| `name`        | display name (falls back to `preferred_username`)           |
| roles claim   | list of role names (`roles`; configurable dotted path)      |
| `org`         | organisation id                                             |
| `tenants`     | municipality codes (3 digits) or county tenants (`county-04`) |
| `partner_org` | partner organisation id                                     |
| `client_kind` | `human` or `machine` (Azure AD `idtyp: app` also = machine) |

Relationship lists (a mentor's teams, a guardian's children) are not claims: they change while a token is
valid, so each service reads them from its own log (`rinnalla_security.relationships`). Older tokens that
still carry `teams` or `children` claims are read as if they did not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rinnalla_security.principal import ClientKind, Principal
from rinnalla_security.roles import Role

_KNOWN_ROLES = {role.value: role for role in Role}


def _at_path(claims: Mapping[str, Any], dotted: str) -> Any:
    value: Any = claims
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: Any, claim: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    raise ValueError(f"claim {claim!r} must be a string or a list of strings")


def principal_from_claims(claims: Mapping[str, Any], *, roles_claim: str = "roles") -> Principal:
    """Build the principal; raises ValueError (or pydantic's ValidationError) on malformed claims.

    Role names the platform does not know are ignored: IdPs add their own (e.g. `offline_access`).
    """
    roles = frozenset(
        _KNOWN_ROLES[name] for name in _strings(_at_path(claims, roles_claim), roles_claim) if name in _KNOWN_ROLES
    )
    machine = claims.get("client_kind") == ClientKind.MACHINE.value or claims.get("idtyp") == "app"
    name = claims.get("name") or claims.get("preferred_username") or ""
    return Principal(
        subject=claims.get("sub", ""),
        name=name if isinstance(name, str) else "",
        roles=roles,
        organisation_id=claims.get("org"),
        tenants=_strings(claims.get("tenants"), "tenants"),
        partner_organisation_id=claims.get("partner_org"),
        client_kind=ClientKind.MACHINE if machine else ClientKind.HUMAN,
    )
