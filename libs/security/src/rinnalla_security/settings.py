"""Authentication settings, read from `RINNALLA_AUTH_*` environment variables by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

AsymmetricAlgorithm = Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
DevAlgorithm = Literal["RS256", "ES256"]

DEV_ISSUER = "rinnalla-dev"
DEV_AUDIENCE = "rinnalla"


class AuthSettings(BaseSettings):
    """Where tokens come from and what they must say.

    Exactly one key source should be set: `jwks_url` (a real IdP: Keycloak, Azure AD / Entra ID, any OIDC
    provider), `public_key_pem` (a fixed key), or `dev_key_path` (local development keys minted by the CLI).
    Only asymmetric algorithms are accepted, so a leaked verification key cannot mint tokens.
    """

    model_config = SettingsConfigDict(env_prefix="RINNALLA_AUTH_", extra="ignore")

    issuer: str = Field(min_length=1, description="Expected `iss` claim, e.g. https://idp.example/realms/rinnalla")
    audience: str = Field(min_length=1, description="Expected `aud` claim: this API's client id or URI")
    jwks_url: str | None = Field(default=None, description="JWKS endpoint of the IdP")
    public_key_pem: str | None = Field(default=None, description="A PEM public key, instead of a JWKS URL")
    dev_key_path: Path | None = Field(default=None, description="Directory of local development keys")
    dev_key_algorithm: DevAlgorithm = "ES256"
    leeway: float = Field(default=30.0, ge=0, le=300, description="Clock skew allowed on exp/nbf/iat, seconds")
    algorithms: tuple[AsymmetricAlgorithm, ...] = ("RS256", "ES256")
    roles_claim: str = Field(
        default="roles",
        description="Claim holding the roles; a dotted path reaches nested claims (Keycloak: realm_access.roles)",
    )
    jwks_cache_seconds: float = Field(default=300.0, gt=0, description="How long fetched signing keys are trusted")
    jwks_timeout_seconds: float = Field(default=5.0, gt=0)
    realm: str = "rinnalla"

    @model_validator(mode="after")
    def _one_key_source(self) -> AuthSettings:
        sources = [s for s in (self.jwks_url, self.public_key_pem, self.dev_key_path) if s]
        if len(sources) != 1:
            raise ValueError(
                "set exactly one of RINNALLA_AUTH_JWKS_URL, RINNALLA_AUTH_PUBLIC_KEY_PEM, RINNALLA_AUTH_DEV_KEY_PATH"
            )
        return self

    @classmethod
    def for_development(cls, key_dir: Path, algorithm: DevAlgorithm = "ES256") -> AuthSettings:
        """Settings that accept tokens from `mint_dev_token` with the default development issuer/audience."""
        return cls(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, dev_key_path=key_dir, dev_key_algorithm=algorithm)
