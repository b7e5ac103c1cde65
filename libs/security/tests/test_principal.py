"""Relationship and tenant scoping on the principal."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from rinnalla_security import Principal, Role, demo_user, principal_from_claims


def test_a_mentor_sees_only_own_team_and_its_children() -> None:
    mentor = demo_user("mentor.vantaa").principal()

    assert mentor.can_see_team("team-092-2019-a")
    assert not mentor.can_see_team("team-109-2020-a")
    assert mentor.can_see_child("child-x", team_id="team-092-2019-a")
    assert not mentor.can_see_child("child-x", team_id="team-109-2020-a")
    assert not mentor.can_see_child("child-x")


def test_a_guardian_sees_own_children_only() -> None:
    guardian = demo_user("guardian.vantaa").principal()

    assert guardian.can_see_child("child-092-0001")
    assert not guardian.can_see_child("child-092-0099", team_id="team-092-2019-a")
    assert not guardian.can_see_team("team-092-2019-a")


def test_a_child_sees_themself() -> None:
    child = demo_user("child.vantaa").principal()

    assert child.can_see_child(child.subject)
    assert not child.can_see_child("child-092-0002")


def test_coordinators_see_every_team_of_their_tenant_but_tenants_are_separate() -> None:
    coordinator = demo_user("coordinator.vantaa").principal()

    assert coordinator.can_see_team("any-team")
    assert coordinator.in_tenant("092")
    assert not coordinator.in_tenant("109")


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
