"""Local development keys and tokens. Never use in production: anyone with the key directory can mint tokens.

The key pair is created once per directory and algorithm, atomically, so several processes (a CLI and a
service starting together) end up with the same key.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from rinnalla_security.demo_users import DemoUser, demo_user
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER, DevAlgorithm


@dataclass(frozen=True)
class DevKeyPair:
    algorithm: DevAlgorithm
    private_pem: bytes
    public_pem: bytes
    kid: str

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK (with `kid`, `alg`, `use`), ready for a JWKS document."""
        public_key = serialization.load_pem_public_key(self.public_pem)
        if isinstance(public_key, rsa.RSAPublicKey):
            jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(public_key))
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            jwk = json.loads(ECAlgorithm.to_jwk(public_key))
        else:  # pragma: no cover - we only create RSA and EC keys
            raise TypeError(f"unsupported key type {type(public_key).__name__}")
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


def _generate_private_pem(algorithm: DevAlgorithm) -> bytes:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if algorithm == "RS256":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_once(path: Path, content: bytes) -> None:
    """Write `content` to `path` unless it exists. The file appears complete or not at all: it is written
    to a temporary name and hard-linked into place, and linking fails if another process won the race."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp_name, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, path)
    finally:
        os.unlink(tmp_name)


def ensure_dev_keys(directory: Path, algorithm: DevAlgorithm = "ES256") -> DevKeyPair:
    """Create (once) and load the development key pair for `algorithm` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path = directory / f"rinnalla-dev-{algorithm.lower()}.pem"
    if not private_path.exists():
        _write_once(private_path, _generate_private_pem(algorithm))
    private_pem = private_path.read_bytes()
    private_key = serialization.load_pem_private_key(private_pem, password=None)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = _thumbprint(public_pem, algorithm)
    return DevKeyPair(algorithm=algorithm, private_pem=private_pem, public_pem=public_pem, kid=kid)


def _thumbprint(public_pem: bytes, algorithm: DevAlgorithm) -> str:
    """RFC 7638 JWK thumbprint: a stable key id derived from the key itself."""
    public_key = serialization.load_pem_public_key(public_pem)
    if isinstance(public_key, rsa.RSAPublicKey):
        jwk = json.loads(RSAAlgorithm.to_jwk(public_key))
        required = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        jwk = json.loads(ECAlgorithm.to_jwk(public_key))
        required = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    else:  # pragma: no cover - we only create RSA and EC keys
        raise TypeError(f"unsupported key type {type(public_key).__name__}")
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(canonical).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def dev_jwks(directory: Path, algorithm: DevAlgorithm = "ES256") -> dict[str, Any]:
    """A JWKS document for the development key, for services configured with a JWKS URL."""
    return {"keys": [ensure_dev_keys(directory, algorithm).jwk()]}


def principal_claims(user: DemoUser) -> dict[str, Any]:
    """The Rinnalla claims of a demo user, as a real IdP would be configured to emit them."""
    claims: dict[str, Any] = {
        "sub": user.subject,
        "name": user.name,
        "roles": sorted(role.value for role in user.roles),
        "tenants": sorted(user.tenants),
        "client_kind": user.client_kind.value,
    }
    if user.organisation_id:
        claims["org"] = user.organisation_id
    if user.partner_organisation_id:
        claims["partner_org"] = user.partner_organisation_id
    return claims


def mint_dev_token(
    user: DemoUser | str,
    *,
    key_dir: Path,
    algorithm: DevAlgorithm = "ES256",
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """A signed development token for a demo user (by object or by username from the catalogue).

    `extra_claims` override or add claims, e.g. to test a token with a wrong audience.
    """
    person = demo_user(user) if isinstance(user, str) else user
    keys = ensure_dev_keys(key_dir, algorithm)
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        **principal_claims(person),
    }
    claims.update(extra_claims or {})
    return jwt.encode(claims, keys.private_pem, algorithm=algorithm, headers={"kid": keys.kid})
