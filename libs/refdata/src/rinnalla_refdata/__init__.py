"""Reference data and Finnish identifiers: municipalities, wellbeing services counties, hetu, Y-tunnus."""

from rinnalla_refdata.business_id import is_valid_business_id, validate_business_id
from rinnalla_refdata.errors import (
    InvalidBusinessId,
    InvalidIdentityCode,
    ReferenceDataError,
    UnknownCounty,
    UnknownMunicipality,
)
from rinnalla_refdata.hetu import (
    CENTURY_SIGNS,
    MaskStyle,
    PersonalIdentityCode,
    is_valid_hetu,
    mask_hetu,
    parse_hetu,
    validate_hetu,
)
from rinnalla_refdata.regions import (
    CountyKind,
    Municipality,
    WellbeingCounty,
    counties,
    county,
    county_of,
    municipalities,
    municipality,
)

__all__ = [
    "CENTURY_SIGNS",
    "CountyKind",
    "InvalidBusinessId",
    "InvalidIdentityCode",
    "MaskStyle",
    "Municipality",
    "PersonalIdentityCode",
    "ReferenceDataError",
    "UnknownCounty",
    "UnknownMunicipality",
    "WellbeingCounty",
    "counties",
    "county",
    "county_of",
    "is_valid_business_id",
    "is_valid_hetu",
    "mask_hetu",
    "municipalities",
    "municipality",
    "parse_hetu",
    "validate_business_id",
    "validate_hetu",
]
