"""Finnish business ID (Y-tunnus): seven digits, a hyphen and a check digit, e.g. 0201256-6.

Validation is python-stdnum's (`stdnum.fi.ytunnus`); this module gives the reason and the standard form.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import ytunnus

from rinnalla_refdata.errors import InvalidBusinessId

_SHAPE = re.compile(r"\d{7}-\d")


def validate_business_id(text: str) -> str:
    """The business ID in its standard form `NNNNNNN-N`, or `InvalidBusinessId` with the reason."""
    if not isinstance(text, str):
        raise InvalidBusinessId("a business ID must be text")
    candidate = text.strip()
    if not _SHAPE.fullmatch(candidate):
        raise InvalidBusinessId("a business ID (Y-tunnus) is seven digits, a hyphen and a check digit, e.g. 0201256-6")
    try:
        ytunnus.validate(candidate)
    except InvalidChecksum:
        raise InvalidBusinessId("invalid check digit in the business ID") from None
    except ValidationError:
        raise InvalidBusinessId("not a valid business ID") from None
    return candidate


def is_valid_business_id(text: str) -> bool:
    try:
        validate_business_id(text)
    except InvalidBusinessId:
        return False
    return True
