"""Bearer-token verification with PyJWT: signature, issuer, audience, expiry (with a small leeway).

Keys come from a JWKS URL (a real IdP), a PEM public key, a static JWKS document, or the local development
key directory. Fetching a JWKS is blocking I/O in PyJWT, so it runs in a worker thread, and fetched keys are
cached by key id so the common path never leaves the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import jwt
from pydantic import ValidationError

from rinnalla_security.claims import principal_from_claims
from rinnalla_security.devtokens import ensure_dev_keys
from rinnalla_security.errors import AuthenticationFailed, AuthenticationUnavailable
from rinnalla_security.principal import Principal
from rinnalla_security.settings import AuthSettings

_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class TokenVerifier:
    def __init__(self, settings: AuthSettings, *, jwks: Mapping[str, Any] | None = None) -> None:
        """`jwks` is a static JWKS document that replaces the configured key source (offline setups, tests)."""
        self._settings = settings
        self._static_key: Any = None
        self._static_jwks: dict[str, jwt.PyJWK] | None = None
        self._client: jwt.PyJWKClient | None = None
        self._cache: dict[str, tuple[jwt.PyJWK, float]] = {}
        if jwks is not None:
            key_set = jwt.PyJWKSet.from_dict(dict(jwks))
            self._static_jwks = {key.key_id or "": key for key in key_set.keys}
        elif settings.jwks_url:
            self._client = jwt.PyJWKClient(
                settings.jwks_url,
                cache_jwk_set=True,
                lifespan=int(settings.jwks_cache_seconds),
                timeout=int(max(1, settings.jwks_timeout_seconds)),
            )
        elif settings.public_key_pem:
            self._static_key = settings.public_key_pem.encode()
        elif settings.dev_key_path:
            self._static_key = ensure_dev_keys(settings.dev_key_path, settings.dev_key_algorithm).public_pem

    @property
    def settings(self) -> AuthSettings:
        return self._settings

    def _fail(self, detail: str, challenge_error: str | None = "invalid_token") -> AuthenticationFailed:
        return AuthenticationFailed(detail, challenge_error=challenge_error, realm=self._settings.realm)

    async def _signing_key(self, token: str) -> Any:
        if self._static_key is not None:
            return self._static_key
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise self._fail("malformed token") from exc
        if kid is not None and not isinstance(kid, str):
            raise self._fail("malformed token")
        if self._static_jwks is not None:
            key = self._static_jwks.get(kid or "")
            if key is None and kid is None and len(self._static_jwks) == 1:
                key = next(iter(self._static_jwks.values()))
            if key is None:
                raise self._fail("token is signed with an unknown key")
            return key
        return await self._fetched_key(kid)

    async def _fetched_key(self, kid: str | None) -> jwt.PyJWK:
        assert self._client is not None
        if not kid:
            raise self._fail("token header has no key id (kid)")
        cached = self._cache.get(kid)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            key = await asyncio.to_thread(self._client.get_signing_key, kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise AuthenticationUnavailable("the identity provider's signing keys cannot be fetched") from exc
        except jwt.PyJWKClientError as exc:
            raise self._fail("token is signed with an unknown key") from exc
        self._cache[kid] = (key, time.monotonic() + self._settings.jwks_cache_seconds)
        return key

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; AuthenticationFailed (401) otherwise."""
        key = await self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=list(self._settings.algorithms),
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise self._fail("token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise self._fail("token is not valid yet") from exc
        except jwt.InvalidAudienceError as exc:
            raise self._fail("token is not meant for this service (audience)") from exc
        except jwt.InvalidIssuerError as exc:
            raise self._fail("token issuer is not trusted") from exc
        except jwt.InvalidSignatureError as exc:
            raise self._fail("token signature does not verify") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise self._fail("token signing algorithm is not allowed") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise self._fail(f"token lacks the required {exc.claim!r} claim") from exc
        except jwt.InvalidKeyError as exc:
            # e.g. `alg: RS256` in the header of a token checked against an EC key: not signed by us
            raise self._fail("token is not signed with a key this service trusts") from exc
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            # anything else a hostile token makes the decoder raise; never a 500
            raise self._fail("malformed token") from exc
        try:
            return principal_from_claims(claims, roles_claim=self._settings.roles_claim)
        except (ValidationError, ValueError) as exc:
            raise self._fail(f"token claims are invalid: {_first_problem(exc)}") from exc


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}"
    return str(exc)
