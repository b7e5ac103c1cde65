"""The purpose (or legal basis) a caller states for touching personal data, from the `X-Purpose` header.

On a personal-data route the purpose is written to the access log, so it must be a processing purpose the
service defines (`ProcessingPurpose`), one the route accepts, and one the caller's roles may claim
(`ROLE_PURPOSES`); anything else is refused with 422 before the route reads or logs anything. Routes that
touch no personal data ignore the header.
"""

from __future__ import annotations

from collections.abc import Iterable

from rinnalla_security.errors import PurposeRequired
from rinnalla_security.processing_purposes import claimable_purposes, is_processing_purpose
from rinnalla_security.roles import Role
from rinnalla_security.rules import Rule

PURPOSE_HEADER = "X-Purpose"
MAX_PURPOSE_LENGTH = 200


def _listed(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def resolve_purpose(header_value: str | None, rule: Rule, roles: Iterable[Role]) -> str | None:
    """The purpose to log for this request (None on routes without personal data); PurposeRequired (422)
    when a personal-data route gets none, an unknown one, or one the route or the caller's roles exclude."""
    if not rule.personal_data:
        return None
    value = (header_value or "").strip()
    if not value:
        if rule.default_purpose:
            return rule.default_purpose
        raise PurposeRequired(
            "this endpoint reads or writes personal data: state the purpose in the "
            f"{PURPOSE_HEADER} header (accepted here: {_listed(rule.accepted_purposes())})"
        )
    if len(value) > MAX_PURPOSE_LENGTH or not value.isprintable() or not is_processing_purpose(value):
        shown = repr(value[:40]) if value.isprintable() else "the value given"
        raise PurposeRequired(
            f"{PURPOSE_HEADER}: {shown} is not a processing purpose this service recognises "
            f"(accepted here: {_listed(rule.accepted_purposes())})",
            code="purpose_not_recognised",
        )
    if value not in rule.accepted_purposes():
        raise PurposeRequired(
            f"{PURPOSE_HEADER}: {value!r} is not accepted by this endpoint "
            f"(accepted here: {_listed(rule.accepted_purposes())})",
            code="purpose_not_permitted",
        )
    roles = frozenset(roles)
    claimable = claimable_purposes(roles)
    if value not in claimable and value != rule.default_purpose:
        raise PurposeRequired(
            f"{PURPOSE_HEADER}: your roles ({_listed(role.value for role in roles)}) may not claim the purpose "
            f"{value!r} (they may claim: {_listed(claimable & rule.accepted_purposes())})",
            code="purpose_not_permitted",
        )
    return value
