"""Development keys and the demo-user catalogue."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
from rinnalla_security import (
    DEMO_RELATIONSHIPS,
    DEMO_USERS,
    Role,
    demo_user,
    demo_user_for_role,
    ensure_dev_keys,
    mint_dev_token,
)


def test_the_key_pair_is_created_once_and_kept_private(tmp_path: Path) -> None:
    first = ensure_dev_keys(tmp_path / "keys")
    second = ensure_dev_keys(tmp_path / "keys")

    assert first.private_pem == second.private_pem
    assert first.kid == second.kid
    [key_file] = (tmp_path / "keys").iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_processes_racing_to_create_the_key_end_up_with_the_same_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        pairs = list(pool.map(lambda _: ensure_dev_keys(tmp_path, "ES256"), range(16)))

    assert len({pair.private_pem for pair in pairs}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["rinnalla-dev-es256.pem"]


def test_a_minted_token_carries_the_demo_users_claims_and_key_id(key_dir: Path) -> None:
    token = mint_dev_token("guardian.vantaa", key_dir=key_dir)

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "ES256"
    assert header["kid"] == ensure_dev_keys(key_dir).kid
    assert claims["roles"] == ["guardian"]
    assert claims["sub"] == "guardian-092-0001"
    assert claims["tenants"] == ["092"]
    assert claims["exp"] > claims["iat"]


def test_every_role_has_a_demo_user_in_vantaa_or_hameenlinna() -> None:
    for role in Role:
        user = demo_user_for_role(role)
        # Vantaa, Hämeenlinna and their wellbeing services counties (04 Vantaa and Kerava, 07 Kanta-Häme).
        assert user.tenants <= {"092", "109", "county-04", "county-07"}, user.username
    assert len({user.username for user in DEMO_USERS}) == len(DEMO_USERS)
    assert len({user.subject for user in DEMO_USERS}) == len(DEMO_USERS)


def test_demo_tokens_carry_the_person_but_no_relationship_lists(key_dir: Path) -> None:
    claims = jwt.decode(mint_dev_token("guardian.vantaa", key_dir=key_dir), options={"verify_signature": False})

    assert claims["sub"] == "guardian-092-0001"
    assert "children" not in claims and "teams" not in claims
    assert {r.person_id for r in DEMO_RELATIONSHIPS} >= {demo_user("mentor.vantaa").subject, claims["sub"]}


def test_partner_and_machine_scopes_of_the_demo_users() -> None:
    assert demo_user("partner.hameenlinna").partner_organisation_id == demo_user("partner.hameenlinna").organisation_id
    assert demo_user("erp.vantaa").principal().client_kind == "machine"


def test_an_unknown_demo_user_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"mentor\.vantaa"):
        demo_user("nobody")
