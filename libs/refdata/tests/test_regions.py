import hashlib
import re
from importlib import resources

import pytest
from rinnalla_refdata import (
    CountyKind,
    UnknownCounty,
    UnknownMunicipality,
    counties,
    county,
    county_of,
    municipalities,
    municipality,
)


def test_the_classification_has_all_308_municipalities_and_23_county_codes() -> None:
    assert len(municipalities()) == 308
    assert len(counties()) == 23
    assert all(re.fullmatch(r"\d{3}", code) for code in municipalities())


def test_a_municipality_carries_both_names_and_its_county() -> None:
    hameenlinna = municipality("109")
    assert (hameenlinna.name_fi, hameenlinna.name_sv) == ("Hämeenlinna", "Tavastehus")
    assert hameenlinna.county_code == "07"
    assert hameenlinna.county_name_fi == "Kanta-Hämeen hyvinvointialue"


def test_vantaa_and_kerava_share_their_county() -> None:
    assert county_of("092") == county_of("245") == county("04")
    assert county("04").kind is CountyKind.WELLBEING_COUNTY


def test_helsinki_organises_social_services_itself() -> None:
    assert county_of("091").kind is CountyKind.CITY_OF_HELSINKI


def test_aland_municipalities_are_outside_the_reform() -> None:
    assert county_of("478").kind is CountyKind.ALAND


@pytest.mark.parametrize("code", ["91", "0911", "abc", "", " 091"])
def test_a_code_that_is_not_three_digits_is_explained(code: str) -> None:
    with pytest.raises(UnknownMunicipality, match="exactly 3 digits"):
        municipality(code)


def test_an_unknown_municipality_code_is_refused() -> None:
    # 588 Pertunmaa merged into Mäntyharju on 1.1.2025.
    with pytest.raises(UnknownMunicipality, match="588 is not a municipality code"):
        county_of("588")


def test_an_unknown_county_code_is_refused() -> None:
    with pytest.raises(UnknownCounty, match="22 is not a wellbeing services county code"):
        county("22")
    with pytest.raises(UnknownCounty, match="exactly 2 digits"):
        county("4")


def test_the_tables_are_loaded_once_and_cannot_be_changed() -> None:
    assert municipalities() is municipalities()
    with pytest.raises(TypeError):
        municipalities()["999"] = municipality("091")  # type: ignore[index]


def test_the_shipped_files_match_the_documented_checksums() -> None:
    data = resources.files("rinnalla_refdata").joinpath("data")
    attribution = data.joinpath("ATTRIBUTION.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"`(\w+\.csv)`: `([0-9a-f]{64})`", attribution))
    assert set(documented) == {"municipalities.csv", "wellbeing_counties.csv"}
    for name, digest in documented.items():
        assert hashlib.sha256(data.joinpath(name).read_bytes()).hexdigest() == digest
