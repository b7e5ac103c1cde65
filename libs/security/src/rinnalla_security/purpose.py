"""The purpose (or legal basis) a caller states for touching personal data, from the `X-Purpose` header."""

from __future__ import annotations

from rinnalla_security.errors import PurposeRequired
from rinnalla_security.rules import Rule

PURPOSE_HEADER = "X-Purpose"
MAX_PURPOSE_LENGTH = 200


def resolve_purpose(header_value: str | None, rule: Rule) -> str | None:
    """The purpose to log for this request; PurposeRequired (400) when a personal-data route lacks one."""
    value = (header_value or "").strip()
    if value and (len(value) > MAX_PURPOSE_LENGTH or not value.isprintable()):
        raise PurposeRequired(
            f"the {PURPOSE_HEADER} header must be 1-{MAX_PURPOSE_LENGTH} printable characters"
        )
    if not rule.personal_data:
        return value or None
    if not value:
        if rule.default_purpose:
            return rule.default_purpose
        accepted = f" (accepted here: {', '.join(sorted(rule.purposes))})" if rule.purposes else ""
        raise PurposeRequired(
            "this endpoint reads or writes personal data: state the purpose or legal basis in the "
            f"{PURPOSE_HEADER} header{accepted}"
        )
    if rule.purposes is not None and value not in rule.purposes:
        raise PurposeRequired(
            f"purpose {value!r} is not accepted by this endpoint; accepted: {', '.join(sorted(rule.purposes))}"
        )
    return value
