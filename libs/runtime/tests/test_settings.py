"""Settings from the environment, as an operator writes them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError
from rinnalla_runtime.master_key import master_key_path, with_master_key
from rinnalla_runtime.settings import (
    RuntimeSettings,
    ServersNotConfigured,
    asyncpg_dsn,
    sqlalchemy_async_url,
)
from rinnalla_runtime.subject_prefix import configured_subjects

KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL", "NATS_URL", "RINNALLA_MASTER_KEY", "RINNALLA_DATA_DIR", "RINNALLA_HOST",
        "RINNALLA_SUBJECT_PREFIX", "RINNALLA_RETENTION_ENABLED",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_nothing_from_the_environment() -> None:
    settings = RuntimeSettings()
    assert settings.database_url is None
    assert settings.nats_url is None
    assert settings.data_dir == Path("var")
    assert settings.log_format == "json"
    assert settings.service_address("enrollment", 9999) == ("127.0.0.1", 8001)
    assert settings.service_address("billing", 9999) == ("127.0.0.1", 8004)
    assert settings.nats_stream_replicas == 1


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://app:secret@db:5432/rinnalla")
    monkeypatch.setenv("NATS_URL", "nats://nats:4222")
    monkeypatch.setenv("RINNALLA_MASTER_KEY", KEY)
    monkeypatch.setenv("RINNALLA_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("RINNALLA_HOST", "192.0.2.1")
    monkeypatch.setenv("RINNALLA_CASELOG_HOST", "10.0.0.5")
    monkeypatch.setenv("RINNALLA_CASELOG_PORT", "9002")

    settings = RuntimeSettings()

    assert settings.require_database_dsn() == "postgresql://app:secret@db:5432/rinnalla"
    assert settings.require_sqlalchemy_url() == "postgresql+asyncpg://app:secret@db:5432/rinnalla"
    assert settings.require_nats_url() == "nats://nats:4222"
    assert settings.require_master_key() == bytes(range(32))
    assert settings.log_level == "debug"
    assert settings.service_address("caselog", 8002) == ("10.0.0.5", 9002)
    assert settings.service_address("network", 8003) == ("192.0.2.1", 8003)
    assert settings.service_address("newcomer", 8010) == ("192.0.2.1", 8010)


def test_an_empty_url_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    with pytest.raises(ServersNotConfigured, match="DATABASE_URL"):
        RuntimeSettings().require_database_dsn()


def test_the_subject_prefix_names_every_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured_subjects(RuntimeSettings()).stream_name("enrollment") == "RINNALLA_ENROLLMENT"
    monkeypatch.setenv("RINNALLA_SUBJECT_PREFIX", "  ")
    assert RuntimeSettings().subject_prefix == "rinnalla"
    monkeypatch.setenv("RINNALLA_SUBJECT_PREFIX", "staging")
    assert configured_subjects(RuntimeSettings()).stream_name("enrollment") == "STAGING_ENROLLMENT"


@pytest.mark.parametrize(
    ("value", "enabled"), [(None, False), ("", False), ("false", False), ("0", False), ("true", True), ("on", True)]
)
def test_the_retention_job_runs_only_when_enabled(
    monkeypatch: pytest.MonkeyPatch, value: str | None, enabled: bool
) -> None:
    if value is not None:
        monkeypatch.setenv("RINNALLA_RETENTION_ENABLED", value)
    assert RuntimeSettings().retention_enabled is enabled


def test_a_retention_switch_that_is_neither_on_nor_off_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINNALLA_RETENTION_ENABLED", "sometimes")
    with pytest.raises(ValidationError, match="retention_enabled"):
        RuntimeSettings()


@pytest.mark.parametrize("bad", ["not base64!!", base64.b64encode(b"short").decode()])
def test_a_bad_master_key_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("RINNALLA_MASTER_KEY", bad)
    with pytest.raises(ValidationError) as error:
        RuntimeSettings()
    assert "RINNALLA_MASTER_KEY" in str(error.value)
    assert bad not in str(error.value)


def test_url_safe_master_keys_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINNALLA_MASTER_KEY", base64.urlsafe_b64encode(b"\xfb" * 32).decode())
    assert RuntimeSettings().require_master_key() == b"\xfb" * 32


@pytest.mark.parametrize("bad", [{"log_format": "xml"}, {"otel_exporter": "jaeger"}, {"enrollment_port": 0}])
def test_invalid_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RuntimeSettings(**bad)  # type: ignore[arg-type]


def test_url_spellings() -> None:
    assert asyncpg_dsn("postgres://u@h/db") == "postgresql://u@h/db"
    assert asyncpg_dsn("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    assert sqlalchemy_async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_the_dev_master_key_is_made_once_and_kept(tmp_path: Path) -> None:
    settings = RuntimeSettings(data_dir=tmp_path, master_key=None)

    assert with_master_key(settings, generate=False).master_key is None
    first = with_master_key(settings, generate=True)
    second = with_master_key(settings, generate=True)

    assert first.master_key is not None and second.master_key is not None
    assert first.master_key.get_secret_value() == second.master_key.get_secret_value()
    assert len(first.require_master_key()) == 32
    assert master_key_path(settings).stat().st_mode & 0o777 == 0o600
    assert with_master_key(settings, generate=False).master_key == first.master_key


def test_a_configured_master_key_wins_over_the_file(tmp_path: Path) -> None:
    with_master_key(RuntimeSettings(data_dir=tmp_path, master_key=None), generate=True)
    settings = RuntimeSettings(data_dir=tmp_path, master_key=KEY)
    assert with_master_key(settings, generate=True).require_master_key() == bytes(range(32))
