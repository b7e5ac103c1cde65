"""The county tenants come from the reference data: every wellbeing services county has a tenant code, and
the county social worker's view reaches the municipalities of that county only."""

from __future__ import annotations

from rinnalla_enrollment.adapters.stakeholder_http import county_municipalities
from rinnalla_refdata import CountyKind, counties, county_of
from rinnalla_security import Principal, county_tenant


def test_every_wellbeing_services_county_has_a_tenant_code() -> None:
    for code, county in counties().items():
        if county.kind is CountyKind.WELLBEING_COUNTY:
            assert Principal(subject="u", tenants=frozenset({county_tenant(code)})).counties == {code}


def test_a_county_reaches_its_own_municipalities_only() -> None:
    vantaa_kerava = county_municipalities(frozenset({"04"}))
    assert set(vantaa_kerava) == {"092", "245"}  # Vantaa and Kerava
    assert all(county_of(code).code == "07" for code in county_municipalities(frozenset({"07"})))
    assert "109" in county_municipalities(frozenset({"07"}))  # Hämeenlinna is in Kanta-Häme
    assert county_municipalities(frozenset()) == []
