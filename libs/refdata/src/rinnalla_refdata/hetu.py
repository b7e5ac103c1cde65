"""Finnish personal identity code (henkilötunnus, "hetu"): validation, date of birth, masking.

Format DDMMYYCNNNQ: date of birth, century sign, individual number, check character. Since the
2023 reform the century sign is one of `+` (1800s), `- Y X W V U` (1900s) or `A B C D E F` (2000s),
and the sign is part of the identity: 010594-9021 and 010594Y9021 are two different people. So the
full 11-character string is the identity and is never shortened or re-signed here.

Validation is python-stdnum's (`stdnum.fi.hetu`); this module only turns its verdict into a reason a
user can act on. The individual number's parity encodes the legal sex; it is deliberately not
exposed by anything here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import hetu as stdnum_hetu

from rinnalla_refdata.errors import InvalidIdentityCode

CENTURY_SIGNS: dict[str, int] = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}

_SHAPE = re.compile(r"(?P<date>\d{6})(?P<sign>.)(?P<individual>\d{3})(?P<check>[0-9A-Y])")
_LOOSE_SHAPE = re.compile(r"\d{6}[-+A-Z]\d{3}[0-9A-Z]")


class MaskStyle(StrEnum):
    """How much of an identity code a read model may show."""

    # "010116A****": date of birth and century sign only.
    BIRTH_DATE_ONLY = "birth_date_only"
    # "010116A***J": also the check character, which helps a person recognise their own code.
    KEEP_CHECK_CHARACTER = "keep_check_character"


@dataclass(frozen=True, repr=False)
class PersonalIdentityCode:
    """A validated identity code. `value` is the identity (all 11 characters, upper case).

    `repr()` and `str()` are masked so that a code put into a log message or an f-string by accident
    does not leak; read `value` explicitly where the full code is needed.
    """

    value: str
    date_of_birth: date

    @property
    def century_sign(self) -> str:
        return self.value[6]

    def masked(self, style: MaskStyle = MaskStyle.BIRTH_DATE_ONLY) -> str:
        return mask_hetu(self.value, style)

    def __repr__(self) -> str:
        return f"PersonalIdentityCode({self.masked()!r})"

    def __str__(self) -> str:
        return self.masked()


def parse_hetu(text: str, *, allow_temporary: bool = False) -> PersonalIdentityCode:
    """Validate an identity code and derive the date of birth.

    Surrounding whitespace is ignored and letters are upper-cased; nothing else is changed (the
    century sign is kept as given). Temporary codes (individual number 900-999) are refused unless
    `allow_temporary`. Raises `InvalidIdentityCode` with a specific reason.
    """
    if not isinstance(text, str):
        raise InvalidIdentityCode("an identity code must be text")
    number = stdnum_hetu.compact(text)
    try:
        stdnum_hetu.validate(number, allow_temporary=allow_temporary)
    except ValidationError as exc:
        raise InvalidIdentityCode(_explain(number, exc)) from None
    return PersonalIdentityCode(value=number, date_of_birth=_birth_date(number))


def validate_hetu(text: str, *, allow_temporary: bool = False) -> str:
    """The normalised identity code (11 characters, upper case), or `InvalidIdentityCode`."""
    return parse_hetu(text, allow_temporary=allow_temporary).value


def is_valid_hetu(text: str, *, allow_temporary: bool = False) -> bool:
    try:
        parse_hetu(text, allow_temporary=allow_temporary)
    except InvalidIdentityCode:
        return False
    return True


def mask_hetu(text: str, style: MaskStyle = MaskStyle.BIRTH_DATE_ONLY) -> str:
    """A display form that hides the individual number (and so the sex digit).

    Never raises: anything that does not have the shape of an identity code (including an erased
    value) is masked completely, so a read model cannot leak a malformed code either.
    """
    number = text.strip().upper() if isinstance(text, str) else ""
    if not _LOOSE_SHAPE.fullmatch(number):
        return "*" * 11
    check = number[10] if style is MaskStyle.KEEP_CHECK_CHARACTER else "*"
    return f"{number[:7]}***{check}"


def _birth_date(number: str) -> date:
    century = CENTURY_SIGNS[number[6]]
    return date(century + int(number[4:6]), int(number[2:4]), int(number[0:2]))


def _explain(number: str, exc: ValidationError) -> str:
    """The first thing wrong with a code stdnum refused, in the order a person would check it."""
    if len(number) != 11:
        return f"an identity code has 11 characters (DDMMYYCNNNQ), got {len(number)}"
    match = _SHAPE.fullmatch(number)
    if match is None:
        if not number[:6].isdigit():
            return "the first six characters must be the date of birth as digits (DDMMYY)"
        if not number[7:10].isdigit():
            return "characters 8-10 must be the individual number (three digits)"
        return "the last character is not a possible check character"
    sign = match["sign"]
    if sign not in CENTURY_SIGNS:
        return (
            f"{sign!r} is not a century sign; use + (born 1800-1899), - Y X W V U (1900-1999) "
            "or A B C D E F (2000-2099)"
        )
    try:
        _birth_date(number)
    except ValueError:
        return "date of birth in the identity code is not a real date"
    individual = int(match["individual"])
    if individual < 2:
        return "individual number 000 or 001 is never issued (numbers start at 002)"
    if individual >= 900:
        return "individual numbers 900-999 are temporary identity codes, which are not accepted here"
    if isinstance(exc, InvalidChecksum) or match["check"] not in "0123456789ABCDEFHJKLMNPRSTUVWXY":
        # The expected character is not named on purpose: "fixing" the check character after a typo
        # elsewhere would produce a valid code of a different person.
        return "invalid check character (a character of the identity code is probably mistyped)"
    return "not a valid personal identity code"
