"""Finnish municipalities and the wellbeing services counties that organise their social services.

The tables are read from the CSV files shipped in `data/` (Statistics Finland classifications,
CC BY 4.0, see `data/ATTRIBUTION.md`) on first use and cached; nothing is read at import time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType

from rinnalla_refdata.errors import UnknownCounty, UnknownMunicipality

_MUNICIPALITY_CODE = re.compile(r"\d{3}")
_COUNTY_CODE = re.compile(r"\d{2}")

HELSINKI_CATEGORY = "90"
ALAND_CATEGORY = "91"


class CountyKind(StrEnum):
    """Who organises social welfare and health care for a municipality."""

    WELLBEING_COUNTY = "wellbeing_county"
    # The City of Helsinki organises these services itself (no county).
    CITY_OF_HELSINKI = "city_of_helsinki"
    # Åland is outside the 2023 reform; kept as Statistics Finland classifies it.
    ALAND = "aland"


@dataclass(frozen=True)
class WellbeingCounty:
    """A wellbeing services county (hyvinvointialue), or the Helsinki / Åland category."""

    code: str
    name_fi: str
    name_sv: str

    @property
    def kind(self) -> CountyKind:
        if self.code == HELSINKI_CATEGORY:
            return CountyKind.CITY_OF_HELSINKI
        if self.code == ALAND_CATEGORY:
            return CountyKind.ALAND
        return CountyKind.WELLBEING_COUNTY


@dataclass(frozen=True)
class Municipality:
    """A municipality (kunta) with its 3-digit code and the county that is its social-services counterpart."""

    code: str
    name_fi: str
    name_sv: str
    county: WellbeingCounty

    @property
    def county_code(self) -> str:
        return self.county.code

    @property
    def county_name_fi(self) -> str:
        return self.county.name_fi


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("rinnalla_refdata").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def counties() -> Mapping[str, WellbeingCounty]:
    """All 23 county codes (01-21, 90 Helsinki, 91 Åland), keyed by code."""
    table = {
        row["code"]: WellbeingCounty(row["code"], row["name_fi"], row["name_sv"])
        for row in _rows("wellbeing_counties.csv")
    }
    return MappingProxyType(table)


@cache
def municipalities() -> Mapping[str, Municipality]:
    """All 308 municipalities of the current classification, keyed by 3-digit code."""
    by_code = counties()
    table = {
        row["code"]: Municipality(row["code"], row["name_fi"], row["name_sv"], by_code[row["wellbeing_county_code"]])
        for row in _rows("municipalities.csv")
    }
    return MappingProxyType(table)


def municipality(code: str) -> Municipality:
    """The municipality with this 3-digit code; `UnknownMunicipality` explains a bad one."""
    if not _MUNICIPALITY_CODE.fullmatch(code):
        raise UnknownMunicipality(
            f"a municipality code has exactly 3 digits with leading zeros (e.g. 091 Helsinki), got {code!r}"
        )
    found = municipalities().get(code)
    if found is None:
        raise UnknownMunicipality(f"{code} is not a municipality code in the Statistics Finland classification")
    return found


def county(code: str) -> WellbeingCounty:
    """The county (or Helsinki / Åland category) with this 2-digit code."""
    if not _COUNTY_CODE.fullmatch(code):
        raise UnknownCounty(f"a wellbeing services county code has exactly 2 digits (e.g. 07), got {code!r}")
    found = counties().get(code)
    if found is None:
        raise UnknownCounty(f"{code} is not a wellbeing services county code")
    return found


def county_of(municipality_code: str) -> WellbeingCounty:
    """Who organises social welfare and child welfare for the municipality (since 1.1.2023)."""
    return municipality(municipality_code).county
