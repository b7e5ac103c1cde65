"""Settings every Rinnalla process shares, read from the environment.

Build `RuntimeSettings()` in a composition root (a `main`, the CLI, a test), never at import time. Every
variable is documented in docs/configuration.md; keep that table in step with this class.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
LogFormat = Literal["json", "console"]
OtelExporter = Literal["none", "console", "otlp"]

MASTER_KEY_BYTES = 32


class ServersNotConfigured(RuntimeError):
    """A URL or key was needed but neither the environment nor the stack supplied one."""


def decode_master_key(text: str) -> bytes:
    """The raw key from its base64 text (standard or URL-safe alphabet); never echoes the key."""
    cleaned = text.strip()
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        try:
            raw = base64.urlsafe_b64decode(cleaned)
        except (binascii.Error, ValueError):
            raise ValueError("RINNALLA_MASTER_KEY is not valid base64") from None
    if len(raw) != MASTER_KEY_BYTES:
        raise ValueError(f"RINNALLA_MASTER_KEY must decode to {MASTER_KEY_BYTES} bytes, it decodes to {len(raw)}")
    return raw


def asyncpg_dsn(url: str) -> str:
    """`postgresql://...` for asyncpg, from any of the spellings operators use."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def sqlalchemy_async_url(url: str) -> str:
    """`postgresql+asyncpg://...` for SQLAlchemy's async engine."""
    return "postgresql+asyncpg://" + asyncpg_dsn(url)[len("postgresql://") :]


class RuntimeSettings(BaseSettings):
    """Process-wide settings. Unset server URLs mean: the stack starts embedded servers in `data_dir`."""

    model_config = SettingsConfigDict(
        env_prefix="RINNALLA_",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,  # never print the master key or a password in a validation error
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="PostgreSQL URL (postgresql:// or postgresql+asyncpg://); unset: embedded server",
    )
    nats_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NATS_URL", "nats_url"),
        description="NATS URL (nats://host:port); unset: embedded server",
    )
    nats_user: str | None = Field(default=None, description="NATS user of this service; unset: no credentials")
    nats_password: SecretStr | None = Field(default=None, description="password of RINNALLA_NATS_USER")
    nats_tls_ca: Path | None = Field(
        default=None, description="PEM file of the CA that signed the NATS server's certificate; set: TLS"
    )
    nats_tls_cert: Path | None = Field(default=None, description="PEM client certificate for mutual TLS")
    nats_tls_key: Path | None = Field(default=None, description="PEM private key of RINNALLA_NATS_TLS_CERT")
    data_dir: Path = Field(default=Path("var"), description="embedded servers' data, the dev master key, tools")
    master_key: SecretStr | None = Field(
        default=None, description="base64 of 32 random bytes; wraps the per-person data keys"
    )
    log_level: LogLevel = "info"
    log_format: LogFormat = "json"
    otel_exporter: OtelExporter = "none"

    host: str = Field(default="127.0.0.1", description="address every service API binds to unless overridden")
    enrollment_host: str | None = None
    enrollment_port: int = Field(default=8001, ge=1, le=65535)
    caselog_host: str | None = None
    caselog_port: int = Field(default=8002, ge=1, le=65535)
    network_host: str | None = None
    network_port: int = Field(default=8003, ge=1, le=65535)
    billing_host: str | None = None
    billing_port: int = Field(default=8004, ge=1, le=65535)

    nats_stream_replicas: int = Field(default=1, ge=1, le=5)
    subject_prefix: str = Field(
        default="rinnalla", description="first token of every NATS subject and stream name"
    )
    retention_enabled: bool = Field(
        default=False, description="the enrollment worker runs the daily retention job (it erases for real)"
    )
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024)
    audit_signing_key: SecretStr | None = Field(
        default=None,
        description="base64 Ed25519 seed the workers sign audit checkpoints with; unset: derived from the master key",
    )
    audit_verify_keys: str | None = Field(
        default=None,
        description="comma-separated base64 Ed25519 public keys trusted for audit checkpoints; unset: the signer's",
    )
    audit_checkpoint_seconds: float = Field(default=300.0, gt=0)
    bus_max_message_bytes: int = Field(
        default=1_048_576,
        ge=4096,
        description="largest event message on NATS (headers and body): the server's max_payload; larger events "
        "are refused when appended",
    )
    embedded_postgres_port: int = Field(default=54329, ge=1, le=65535)
    embedded_nats_port: int = Field(default=42229, ge=1, le=65535)
    shutdown_grace_seconds: float = Field(default=10.0, gt=0)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    demo_data: bool = True

    @field_validator("log_level", "log_format", "otel_exporter", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url", "nats_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("nats_user", "nats_password", "nats_tls_ca", "nats_tls_cert", "nats_tls_key", mode="before")
    @classmethod
    def _empty_nats_option_is_unset(cls, value: object) -> object:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return None if isinstance(text, str) and not text.strip() else value

    @model_validator(mode="after")
    def _nats_options_come_in_pairs(self) -> RuntimeSettings:
        if (self.nats_tls_cert is None) != (self.nats_tls_key is None):
            raise ValueError("set both RINNALLA_NATS_TLS_CERT and RINNALLA_NATS_TLS_KEY, or neither")
        if self.nats_password is not None and not self.nats_user:
            raise ValueError("RINNALLA_NATS_PASSWORD is set without RINNALLA_NATS_USER")
        return self

    @field_validator("audit_signing_key", "audit_verify_keys", mode="before")
    @classmethod
    def _empty_audit_key_is_unset(cls, value: object) -> object:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return None if isinstance(text, str) and not text.strip() else value

    @field_validator("subject_prefix", mode="before")
    @classmethod
    def _empty_is_default_prefix(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or "rinnalla"
        return value

    @field_validator("retention_enabled", mode="before")
    @classmethod
    def _empty_is_disabled(cls, value: object) -> object:
        return False if isinstance(value, str) and not value.strip() else value

    @field_validator("master_key", mode="before")
    @classmethod
    def _valid_master_key(cls, value: object) -> object:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        if not isinstance(text, str):
            raise ValueError("RINNALLA_MASTER_KEY must be a base64 string")
        decode_master_key(text)
        return text.strip()

    def service_address(self, service: str, default_port: int) -> tuple[str, int]:
        """Where a service's API listens: RINNALLA_<SERVICE>_HOST/_PORT, else RINNALLA_HOST and its default."""
        host = getattr(self, f"{service}_host", None) or self.host
        port = getattr(self, f"{service}_port", default_port)
        return str(host), int(port)

    @property
    def dev_key_dir(self) -> Path:
        """Where local development signing keys live: `rinnalla token mint` signs with them and the dev
        stack's services trust them (unless RINNALLA_AUTH_* configures a real identity provider)."""
        return self.data_dir / "dev-keys"

    def require_database_dsn(self) -> str:
        """The asyncpg-style URL, or a clear error when no server is configured."""
        if not self.database_url:
            raise ServersNotConfigured("DATABASE_URL is not set and no embedded PostgreSQL was started")
        return asyncpg_dsn(self.database_url)

    def require_sqlalchemy_url(self) -> str:
        return sqlalchemy_async_url(self.require_database_dsn())

    def require_nats_url(self) -> str:
        if not self.nats_url:
            raise ServersNotConfigured("NATS_URL is not set and no embedded NATS server was started")
        return self.nats_url

    def require_master_key(self) -> bytes:
        if self.master_key is None:
            raise ServersNotConfigured("RINNALLA_MASTER_KEY is not set (base64 of 32 random bytes)")
        return decode_master_key(self.master_key.get_secret_value())
