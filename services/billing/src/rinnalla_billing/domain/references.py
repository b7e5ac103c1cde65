"""Finnish check digits: the payment reference (viitenumero, 7-3-1), its international RF form (ISO 11649),
the business ID (Y-tunnus, checked by the shared reference data), the OVT code (the Finnish
e-invoicing address) and the Peppol participant id in the scheme 0216 (OVT).

Every check is written out here and tested digit by digit.
"""

from __future__ import annotations

import re

from rinnalla_refdata import ReferenceDataError, validate_business_id

from rinnalla_billing.domain.errors import InvalidValue

_WEIGHTS = (7, 3, 1)
_DIGITS = re.compile(r"^\d+$")
PEPPOL_OVT_SCHEME = "0216"
OVT_PREFIX = "0037"  # the ISO 6523 ICD of Finnish OVT codes, their first four digits


def reference_check_digit(base: str) -> int:
    """The check digit of a Finnish reference number: the digits from the right weighted 7, 3, 1, 7, 3, 1...;
    the check digit takes the sum up to the next multiple of ten (0 when it is one already)."""
    if not _DIGITS.match(base):
        raise ValueError("a reference base is digits only")
    total = sum(int(digit) * _WEIGHTS[i % 3] for i, digit in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def finnish_reference(base: str) -> str:
    """The reference number for `base` (3 to 19 digits, not starting with 0): the base and its check digit."""
    if not _DIGITS.match(base) or not 3 <= len(base) <= 19 or base.startswith("0"):
        raise ValueError("a reference base has 3 to 19 digits and does not start with 0")
    return f"{base}{reference_check_digit(base)}"


def is_finnish_reference(value: str) -> bool:
    compact = value.replace(" ", "")
    if not _DIGITS.match(compact) or not 4 <= len(compact) <= 20:
        return False
    return reference_check_digit(compact[:-1]) == int(compact[-1])


def _iso7064_numeric(text: str) -> int:
    """Letters as numbers (A=10 ... Z=35), digits as themselves, the whole read as one number mod 97."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def rf_reference(reference: str) -> str:
    """The RF creditor reference (ISO 11649) of a Finnish reference number: `RF`, two check digits, the
    reference. The check digits make `reference + "RF" + check` equal to 1 mod 97."""
    compact = reference.replace(" ", "")
    if not is_finnish_reference(compact):
        raise ValueError(f"{reference!r} is not a valid Finnish reference number")
    check = 98 - _iso7064_numeric(compact + "RF00")
    return f"RF{check:02d}{compact}"


def is_rf_reference(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not re.match(r"^RF\d{2}[0-9A-Z]{1,21}$", compact):
        return False
    return _iso7064_numeric(compact[4:] + compact[:4]) == 1


def checked_business_id(value: str, field: str) -> str:
    """The Y-tunnus in its standard form `1234567-8`; refuses a malformed one or a wrong check digit."""
    try:
        return validate_business_id(value)
    except ReferenceDataError as error:
        raise InvalidValue(field, f"{value!r} is not a valid Y-tunnus: {error}") from None


def business_id_check_digit(first_seven: str) -> int | None:
    """The Y-tunnus check digit: weights 7, 9, 10, 5, 8, 4, 2; 11 minus the remainder mod 11 (0 when the
    remainder is 0); None when the remainder is 1 (no business ID has those seven digits)."""
    total = sum(int(d) * w for d, w in zip(first_seven, (7, 9, 10, 5, 8, 4, 2), strict=True))
    remainder = total % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def checked_ovt(value: str, field: str, *, business_id: str | None = None) -> str:
    """An OVT code: `0037`, the eight digits of the organisation's Y-tunnus (without the hyphen), and an
    optional suffix of up to five letters or digits naming a unit. The embedded Y-tunnus must be valid, and
    the organisation's own when `business_id` is given."""
    compact = value.replace(" ", "").upper()
    match = re.match(r"^0037(\d{8})([0-9A-Z]{0,5})$", compact)
    if match is None:
        raise InvalidValue(field, f"{value!r} is not an OVT code (0037, the 8 digits of a Y-tunnus, up to 5 more)")
    digits = match.group(1)
    embedded = f"{digits[:7]}-{digits[7]}"
    if business_id_check_digit(digits[:7]) != int(digits[7]):
        raise InvalidValue(field, f"the Y-tunnus {embedded} inside the OVT code {value!r} has a wrong check digit")
    if business_id is not None and embedded != business_id:
        raise InvalidValue(field, f"the OVT code {value!r} is not of the payer's Y-tunnus {business_id}")
    return compact


def checked_peppol_id(value: str, field: str, *, business_id: str | None = None) -> str:
    """A Peppol participant id in the OVT scheme, `0216:<OVT code>`, the code checked as `checked_ovt`."""
    scheme, _, identifier = value.strip().partition(":")
    if scheme != PEPPOL_OVT_SCHEME or not identifier:
        raise InvalidValue(field, f"{value!r} is not a Peppol participant id of the scheme 0216 (0216:<OVT code>)")
    return f"{PEPPOL_OVT_SCHEME}:{checked_ovt(identifier, field, business_id=business_id)}"
