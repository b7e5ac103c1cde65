"""Roles, tenants and organisations on the principal (relationships: test_relationships.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from rinnalla_security import Principal, Role, county_of_tenant, county_tenant, demo_user, principal_from_claims


def test_coordinators_are_tenant_wide_but_tenants_are_separate() -> None:
    coordinator = demo_user("coordinator.vantaa").principal()

    assert coordinator.is_tenant_wide
    assert coordinator.in_tenant("092")
    assert not coordinator.in_tenant("109")


def test_a_token_with_relationship_lists_grants_nothing_by_them() -> None:
    principal = principal_from_claims({"sub": "u", "roles": ["mentor"], "teams": ["team-092-2019-a"]})

    assert principal.subject == "u"
    assert not hasattr(principal, "team_ids")


def test_a_partner_organisation_acts_only_for_itself() -> None:
    partner = demo_user("partner.hameenlinna").principal()

    assert partner.acts_for_partner("org-sos-family-partner")
    assert not partner.acts_for_partner("org-other")
    assert not demo_user("mentor.vantaa").principal().acts_for_partner("org-sos-family-partner")


def test_the_principal_is_immutable_and_tenant_codes_have_three_digits() -> None:
    principal = demo_user("admin.vantaa").principal()
    with pytest.raises(ValidationError):
        principal.roles = frozenset({Role.MENTOR})  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Principal(subject="u", tenants=frozenset({"92"}))


def test_unknown_role_names_from_the_identity_provider_are_ignored() -> None:
    principal = principal_from_claims({"sub": "u", "roles": ["mentor", "offline_access", "uma_authorization"]})

    assert principal.roles == {Role.MENTOR}


def test_a_single_string_claim_counts_as_one_value() -> None:
    principal = principal_from_claims({"sub": "u", "roles": "dpo", "tenants": "109"})

    assert principal.roles == {Role.DPO}
    assert principal.tenants == {"109"}


def test_a_wellbeing_services_county_is_a_tenant_of_its_own() -> None:
    worker = demo_user("socialworker.vantaa").principal()
    assert worker.tenants == {"county-04"}
    assert worker.counties == {"04"} and worker.municipalities == frozenset()
    assert not worker.in_tenant("092")  # the county is not the city: no municipality's records by tenant
    mixed = Principal(subject="u", tenants=frozenset({"092", county_tenant("04")}))
    assert mixed.counties == {"04"} and mixed.municipalities == {"092"}
    assert county_of_tenant("county-21") == "21" and county_of_tenant("092") is None
    for invalid in ("county-00", "county-22", "county-90", "county-4", "04", "hva-04"):
        with pytest.raises(ValidationError):
            Principal(subject="u", tenants=frozenset({invalid}))
    from_token = principal_from_claims({"sub": "u", "roles": ["county_social_worker"], "tenants": ["county-07"]})
    assert from_token.counties == {"07"}

