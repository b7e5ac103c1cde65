"""The processing purposes: every role has its list, and a route can only name purposes that exist."""

from __future__ import annotations

import pytest
from rinnalla_security import ROLE_PURPOSES, Action, ProcessingPurpose, Role, authorize, usual_purpose


def test_every_role_says_which_purposes_it_may_claim() -> None:
    assert set(ROLE_PURPOSES) == set(Role)
    assert ROLE_PURPOSES[Role.SIB_FUND] == frozenset()  # aggregates only: never a person's data


def test_what_a_client_states_by_default() -> None:
    assert usual_purpose({Role.MENTOR}) == ProcessingPurpose.PROGRAMME_DELIVERY
    assert usual_purpose({Role.GUARDIAN}) == ProcessingPurpose.OWN_CHILD
    assert usual_purpose({Role.MUNICIPALITY_OFFICIAL}) is None


def test_a_rule_cannot_name_a_purpose_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="unknown processing purposes"):
        authorize(Action.read("child"), roles={Role.MENTOR}, personal_data=True, purposes={"curiosity"})
    with pytest.raises(ValueError, match="unknown processing purposes"):
        authorize(Action.read("child"), roles={Role.MENTOR}, personal_data=True, default_purpose="curiosity")


def test_the_county_and_the_school_state_a_cooperation_purpose_of_their_own() -> None:
    assert ProcessingPurpose.COUNTY_COOPERATION in ROLE_PURPOSES[Role.COUNTY_SOCIAL_WORKER]
    assert ProcessingPurpose.SCHOOL_COOPERATION in ROLE_PURPOSES[Role.SCHOOL]
    others = set(Role) - {Role.COUNTY_SOCIAL_WORKER, Role.SCHOOL}
    assert not any({ProcessingPurpose.COUNTY_COOPERATION, ProcessingPurpose.SCHOOL_COOPERATION} & ROLE_PURPOSES[r]
                   for r in others)
