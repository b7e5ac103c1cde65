"""The identity index: one child id per person, and identity keys that name no one."""

from __future__ import annotations

import re
from datetime import date

import pytest
from enrollment_builders import hetu_for
from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.domain import identity as i
from rinnalla_enrollment.domain.errors import AlreadyExists

MASTER = bytes(range(32))


def replay(*events: i.IdentityClaimed | i.IdentityReleased) -> i.IdentityState:
    state = i.initial()
    for event in events:
        state = i.evolve(state, event)
    return state


def test_another_child_cannot_claim_a_held_identity_but_the_holder_can_again() -> None:
    held = replay(i.IdentityClaimed(child_id="a"))

    with pytest.raises(AlreadyExists) as refused:
        i.decide(held, i.ClaimIdentity(child_id="b"))

    assert (refused.value.field, refused.value.reason) == ("child.hetu", i.ALREADY_ENROLLED)
    assert i.decide(held, i.ClaimIdentity(child_id="a")) == [i.IdentityClaimed(child_id="a")]


def test_a_released_identity_can_be_claimed_by_another_child() -> None:
    released = replay(i.IdentityClaimed(child_id="a"), i.IdentityReleased(child_id="a"))

    assert i.decide(released, i.ClaimIdentity(child_id="b")) == [i.IdentityClaimed(child_id="b")]
    assert i.decide(released, i.ReleaseIdentity(child_id="a")) == []


def test_the_key_is_a_keyed_pseudonym_of_the_full_code() -> None:
    keys = IdentityKeys(MASTER)
    code = hetu_for(date(2018, 3, 15))

    assert keys.key_of(code) == keys.key_of(f" {code.lower()} ")
    assert re.fullmatch(r"[0-9a-f]{64}", keys.key_of(code))
    assert keys.key_of(code) != IdentityKeys(bytes(32)).key_of(code)  # needs the master key
    assert code not in repr(keys) and keys.key_of(code) not in repr(keys)


def test_the_century_sign_is_part_of_the_identity() -> None:
    keys = IdentityKeys(MASTER)

    born = date(1994, 5, 1)

    # Since the 2023 reform "-" and "Y" both mean the 1900s, and the two codes are two people.
    assert keys.key_of(hetu_for(born, sign="-")) != keys.key_of(hetu_for(born, sign="Y"))
