"""Bearer-token verification: what a caller with a good, stale, foreign or forged token experiences."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from rinnalla_security import (
    AuthenticationFailed,
    AuthenticationUnavailable,
    AuthSettings,
    ClientKind,
    Role,
    TokenVerifier,
    dev_jwks,
    ensure_dev_keys,
    mint_dev_token,
)
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER


async def test_a_valid_development_token_gives_the_demo_users_principal(
    dev_settings: AuthSettings, key_dir: Path
) -> None:
    principal = await TokenVerifier(dev_settings).verify(mint_dev_token("mentor.vantaa", key_dir=key_dir))

    assert principal.subject == "user-mentor.vantaa"
    assert principal.roles == {Role.MENTOR}
    assert principal.tenants == {"092"}
    assert principal.organisation_id == "org-icehearts"
    assert principal.client_kind is ClientKind.HUMAN


async def test_an_expired_token_is_refused_with_a_reason(dev_settings: AuthSettings, key_dir: Path) -> None:
    issued = datetime.now(UTC) - timedelta(hours=2)
    token = mint_dev_token("mentor.vantaa", key_dir=key_dir, now=issued, ttl=timedelta(hours=1))

    with pytest.raises(AuthenticationFailed, match="expired") as refused:
        await TokenVerifier(dev_settings).verify(token)
    assert refused.value.status_code == 401
    assert 'error="invalid_token"' in refused.value.headers["WWW-Authenticate"]


async def test_a_token_expired_within_the_leeway_is_still_accepted(dev_settings: AuthSettings, key_dir: Path) -> None:
    issued = datetime.now(UTC) - timedelta(minutes=10, seconds=10)
    token = mint_dev_token("mentor.vantaa", key_dir=key_dir, now=issued, ttl=timedelta(minutes=10))

    principal = await TokenVerifier(dev_settings).verify(token)  # leeway is 30 s by default

    assert principal.subject == "user-mentor.vantaa"


async def test_a_token_for_another_audience_is_refused(dev_settings: AuthSettings, key_dir: Path) -> None:
    token = mint_dev_token("mentor.vantaa", key_dir=key_dir, audience="some-other-api")

    with pytest.raises(AuthenticationFailed, match="audience"):
        await TokenVerifier(dev_settings).verify(token)


async def test_a_token_from_another_issuer_is_refused(dev_settings: AuthSettings, key_dir: Path) -> None:
    token = mint_dev_token("mentor.vantaa", key_dir=key_dir, issuer="https://evil.example")

    with pytest.raises(AuthenticationFailed, match="issuer"):
        await TokenVerifier(dev_settings).verify(token)


async def test_a_token_signed_with_another_key_is_refused(dev_settings: AuthSettings, tmp_path: Path) -> None:
    forged = mint_dev_token("admin.vantaa", key_dir=tmp_path)  # a fresh key pair nobody trusts

    with pytest.raises(AuthenticationFailed, match="signature"):
        await TokenVerifier(dev_settings).verify(forged)


async def test_a_tampered_payload_breaks_the_signature(dev_settings: AuthSettings, key_dir: Path) -> None:
    header, payload, signature = mint_dev_token("mentor.vantaa", key_dir=key_dir).split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["roles"] = ["admin"]
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()

    with pytest.raises(AuthenticationFailed, match="signature"):
        await TokenVerifier(dev_settings).verify(f"{header}.{forged_payload}.{signature}")


async def test_unsigned_and_symmetric_tokens_are_refused(dev_settings: AuthSettings) -> None:
    claims = {"sub": "x", "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "exp": datetime.now(UTC) + timedelta(hours=1)}
    unsigned = jwt.encode(claims, key="", algorithm="none")
    symmetric = jwt.encode(claims, key="s" * 64, algorithm="HS256")

    for token in (unsigned, symmetric):
        with pytest.raises(AuthenticationFailed):
            await TokenVerifier(dev_settings).verify(token)


async def test_garbage_is_a_malformed_token(dev_settings: AuthSettings) -> None:
    with pytest.raises(AuthenticationFailed, match="malformed"):
        await TokenVerifier(dev_settings).verify("not-a-jwt")


async def test_a_token_without_subject_is_refused(dev_settings: AuthSettings, key_dir: Path) -> None:
    keys = ensure_dev_keys(key_dir)
    claims = {"iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "exp": datetime.now(UTC) + timedelta(hours=1)}
    token = jwt.encode(claims, keys.private_pem, algorithm="ES256")

    with pytest.raises(AuthenticationFailed, match="'sub'"):
        await TokenVerifier(dev_settings).verify(token)


async def test_a_malformed_tenant_claim_is_refused(dev_settings: AuthSettings, key_dir: Path) -> None:
    token = mint_dev_token("mentor.vantaa", key_dir=key_dir, extra_claims={"tenants": ["Vantaa"]})

    with pytest.raises(AuthenticationFailed, match="tenants"):
        await TokenVerifier(dev_settings).verify(token)


async def test_rs256_development_tokens_verify_too(key_dir: Path) -> None:
    settings = AuthSettings.for_development(key_dir, algorithm="RS256")
    token = mint_dev_token("coordinator.vantaa", key_dir=key_dir, algorithm="RS256")

    assert (await TokenVerifier(settings).verify(token)).roles == {Role.COORDINATOR}


async def test_a_configured_pem_public_key_verifies_tokens(key_dir: Path) -> None:
    settings = AuthSettings(
        issuer=DEV_ISSUER, audience=DEV_AUDIENCE, public_key_pem=ensure_dev_keys(key_dir).public_pem.decode()
    )

    principal = await TokenVerifier(settings).verify(mint_dev_token("dpo.vantaa", key_dir=key_dir))

    assert principal.roles == {Role.DPO}


async def test_a_static_jwks_document_verifies_tokens_by_key_id(key_dir: Path) -> None:
    settings = AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, jwks_url="http://unused.invalid/jwks")
    verifier = TokenVerifier(settings, jwks=dev_jwks(key_dir))

    principal = await verifier.verify(mint_dev_token("guardian.vantaa", key_dir=key_dir))

    assert principal.subject == "guardian-092-0001"
    with pytest.raises(AuthenticationFailed, match="unknown key"):
        await verifier.verify(mint_dev_token("guardian.vantaa", key_dir=key_dir, algorithm="RS256"))


class _JwksServer:
    """A tiny JWKS endpoint on 127.0.0.1 that counts how often it is asked."""

    def __init__(self, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.hits = 0
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server_self.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/realms/rinnalla/protocol/openid-connect/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> _JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def jwks_server(key_dir: Path) -> Iterator[_JwksServer]:
    document = {"keys": [ensure_dev_keys(key_dir, "ES256").jwk(), ensure_dev_keys(key_dir, "RS256").jwk()]}
    with _JwksServer(document) as server:
        yield server


async def test_keys_are_fetched_from_a_jwks_url_and_cached(jwks_server: _JwksServer, key_dir: Path) -> None:
    verifier = TokenVerifier(AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, jwks_url=jwks_server.url))

    first = await verifier.verify(mint_dev_token("mentor.vantaa", key_dir=key_dir))
    second = await verifier.verify(mint_dev_token("finance.vantaa", key_dir=key_dir))
    rsa = await verifier.verify(mint_dev_token("admin.vantaa", key_dir=key_dir, algorithm="RS256"))

    assert [first.roles, second.roles, rsa.roles] == [{Role.MENTOR}, {Role.FINANCE}, {Role.ADMIN}]
    assert jwks_server.hits == 1


async def test_a_token_whose_key_the_jwks_lacks_is_refused(jwks_server: _JwksServer, tmp_path: Path) -> None:
    verifier = TokenVerifier(AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, jwks_url=jwks_server.url))

    with pytest.raises(AuthenticationFailed, match="unknown key"):
        await verifier.verify(mint_dev_token("admin.vantaa", key_dir=tmp_path))


async def test_an_unreachable_identity_provider_is_a_503_not_a_401(key_dir: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, jwks_url=f"http://127.0.0.1:{port}/certs")

    with pytest.raises(AuthenticationUnavailable) as unavailable:
        await TokenVerifier(settings).verify(mint_dev_token("mentor.vantaa", key_dir=key_dir))
    assert unavailable.value.status_code == 503


async def test_keycloak_style_nested_roles_and_azure_app_tokens_map_to_principals(key_dir: Path) -> None:
    settings = AuthSettings(
        issuer=DEV_ISSUER, audience=DEV_AUDIENCE, dev_key_path=key_dir, roles_claim="realm_access.roles"
    )
    token = mint_dev_token(
        "erp.vantaa",
        key_dir=key_dir,
        extra_claims={"roles": None, "realm_access": {"roles": ["erp_client", "offline_access"]},
                      "client_kind": None, "idtyp": "app"},
    )

    principal = await TokenVerifier(settings).verify(token)

    assert principal.roles == {Role.ERP_CLIENT}
    assert principal.client_kind is ClientKind.MACHINE


def test_settings_need_exactly_one_key_source(key_dir: Path) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        AuthSettings(issuer="i", audience="a")
    with pytest.raises(ValueError, match="exactly one"):
        AuthSettings(issuer="i", audience="a", jwks_url="https://idp.example/certs", dev_key_path=key_dir)


def test_settings_are_read_from_rinnalla_auth_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINNALLA_AUTH_ISSUER", "https://idp.example/realms/rinnalla")
    monkeypatch.setenv("RINNALLA_AUTH_AUDIENCE", "rinnalla-api")
    monkeypatch.setenv("RINNALLA_AUTH_JWKS_URL", "https://idp.example/realms/rinnalla/protocol/openid-connect/certs")
    monkeypatch.setenv("RINNALLA_AUTH_LEEWAY", "10")

    settings = AuthSettings()

    assert settings.issuer == "https://idp.example/realms/rinnalla"
    assert settings.audience == "rinnalla-api"
    assert settings.leeway == 10


def _segment(value: Any) -> str:
    return jwt.utils.base64url_encode(json.dumps(value).encode()).decode()


def _hostile_tokens(key_dir: Path) -> dict[str, str]:
    """Tokens an attacker makes by hand: wrong algorithms, keys we never published, broken headers."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    good = mint_dev_token("admin.vantaa", key_dir=key_dir)
    header, payload, signature = good.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "rs256 with a key we never published": jwt.encode(claims, stranger, algorithm="RS256"),
        "rs256 with an unknown kid": jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "no-such-key"}),
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "hs512": jwt.encode(claims, "s" * 64, algorithm="HS512"),
        "garbage segments": "!!!.###.$$$",
        "two segments": f"{header}.{payload}",
        "header is a list": f"{_segment([1, 2])}.{payload}.{signature}",
        "kid is a number": f"{_segment({'alg': 'ES256', 'kid': 5})}.{payload}.{signature}",
        "unknown critical extension": f"{_segment({'alg': 'ES256', 'crit': ['x']})}.{payload}.{signature}",
        "payload is a list": f"{header}.{_segment([1])}.{signature}",
    }


@pytest.mark.parametrize("configured", ["development key", "static jwks"])
async def test_hand_made_tokens_are_refused_as_401_never_an_error(key_dir: Path, configured: str) -> None:
    if configured == "development key":
        verifier = TokenVerifier(AuthSettings.for_development(key_dir))
    else:
        settings = AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, jwks_url="http://unused.invalid/jwks")
        verifier = TokenVerifier(settings, jwks=dev_jwks(key_dir))

    for name, token in _hostile_tokens(key_dir).items():
        with pytest.raises(AuthenticationFailed) as refused:
            await verifier.verify(token)
        assert refused.value.status_code == 401, name
