"""Who pays for a partnership's teams: the price of one team for one year, split between payers.

Money is integer euro cents; a payer's share is in basis points (1/100 of a percent) and the shares of
one partnership sum to exactly 10000 (100 %), so that every cent of a team's price has one payer.
Since 2023 the municipality and its wellbeing services county may both pay (education and youth work
on the one side, social services and child welfare on the other); a foundation or a company may too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field
from rinnalla_refdata import CountyKind, ReferenceDataError, county, municipality, validate_business_id

from rinnalla_enrollment.domain.errors import InvalidValue, RuleViolated
from rinnalla_enrollment.domain.values import Code, Name, Value, require_text

DEFAULT_PRICE_PER_TEAM_CENTS = 6_000_000  # 60,000.00 EUR per team per year
WHOLE = 10_000  # basis points in 100 %


class PayerKind(StrEnum):
    MUNICIPALITY = "municipality"
    WELLBEING_SERVICES_COUNTY = "wellbeing_services_county"
    OTHER = "other"  # a foundation, a company, another public body: identified by its Y-tunnus


class Payer(Value):
    """One payer of a partnership's teams. `code` is the municipality code (3 digits) or the county code
    (2 digits); `business_id` is the payer's Y-tunnus, required for other payers, optional otherwise."""

    # a command's bounded copy (PayerEntry) is stored as a plain Payer
    model_config = ConfigDict(revalidate_instances="subclass-instances")

    kind: PayerKind
    code: str = ""
    business_id: str = ""
    name: str = ""
    share_basis_points: int


class PayerEntry(Payer):
    """A payer as a command gives it: bounded."""

    model_config = ConfigDict(from_attributes=True)

    code: Code = ""
    business_id: Code = ""
    name: Name = ""
    share_basis_points: Annotated[int, Field(ge=0, le=WHOLE)]


def checked_payers(payers: tuple[Payer, ...], field: str = "payers") -> tuple[Payer, ...]:
    """The payers with their codes normalised; refuses an unknown code, a bad Y-tunnus, a payer listed
    twice, or shares that do not sum to exactly 100 %."""
    if not payers:
        raise InvalidValue(field, "at least one payer is required")
    checked: list[Payer] = []
    seen: set[tuple[PayerKind, str]] = set()
    for index, payer in enumerate(payers):
        path = f"{field}[{index}]"
        payer = _checked_payer(payer, path)
        identity = (payer.kind, payer.code or payer.business_id)
        if identity in seen:
            raise InvalidValue(path, "the same payer is listed twice")
        seen.add(identity)
        checked.append(payer)
    total = sum(p.share_basis_points for p in checked)
    if total != WHOLE:
        raise RuleViolated(
            field,
            f"the shares sum to {total / 100:.2f} %; they must sum to exactly 100 % ({WHOLE} basis points)",
        )
    return tuple(checked)


def _checked_payer(payer: Payer, path: str) -> Payer:
    if not 1 <= payer.share_basis_points <= WHOLE:
        raise InvalidValue(
            f"{path}.share_basis_points", f"a share is 1-{WHOLE} basis points, got {payer.share_basis_points}"
        )
    code = payer.code.strip()
    try:
        match payer.kind:
            case PayerKind.MUNICIPALITY:
                code = municipality(code).code
            case PayerKind.WELLBEING_SERVICES_COUNTY:
                found = county(code)
                if found.kind is not CountyKind.WELLBEING_COUNTY:
                    raise InvalidValue(
                        f"{path}.code", f"{found.name_fi} is not a wellbeing services county; it pays as itself"
                    )
                code = found.code
            case PayerKind.OTHER:
                if code:
                    raise InvalidValue(f"{path}.code", "another payer is identified by its Y-tunnus, not a code")
                require_text(payer.business_id, f"{path}.business_id", "the payer's Y-tunnus")
                require_text(payer.name, f"{path}.name", "the payer's name")
    except ReferenceDataError as exc:
        raise InvalidValue(f"{path}.code", exc.reason) from None
    business_id = ""
    if payer.business_id.strip():
        try:
            business_id = validate_business_id(payer.business_id)
        except ReferenceDataError as exc:
            raise InvalidValue(f"{path}.business_id", exc.reason) from None
    # a plain Payer (not the command's PayerEntry): what the events and the state hold
    return Payer(
        kind=payer.kind, code=code, business_id=business_id, name=payer.name.strip(),
        share_basis_points=payer.share_basis_points,
    )


def check_price(price_per_team_cents: int, field: str = "price_per_team_cents") -> None:
    if price_per_team_cents <= 0:
        raise InvalidValue(field, "the price of a team must be positive (euro cents)")


def split_price(price_cents: int, shares_basis_points: tuple[int, ...]) -> tuple[int, ...]:
    """Each payer's part of a price in cents, in the payers' order; the parts sum to the price exactly.

    Each part is rounded down and the cents left over go one each to the largest remainders (the
    earlier payer first on a tie), so no cent is lost or invented."""
    exact = [price_cents * share for share in shares_basis_points]
    parts = [value // WHOLE for value in exact]
    left_over = price_cents - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] % WHOLE), i))
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return tuple(parts)
