"""How a service presents itself to NATS: nothing in development, credentials and TLS when deployed."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from rinnalla_runtime.nats_options import nats_connect_options
from rinnalla_runtime.settings import RuntimeSettings

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
NATS_VARIABLES = (
    "RINNALLA_NATS_USER", "RINNALLA_NATS_PASSWORD", "RINNALLA_NATS_TLS_CA", "RINNALLA_NATS_TLS_CERT",
    "RINNALLA_NATS_TLS_KEY",
)  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NATS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("certs")
    subprocess.run([sys.executable, str(DEPLOY / "nats" / "make_certs.py"), "--out", str(out)], check=True)
    return out


def test_the_dev_stack_connects_without_credentials_or_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NATS_VARIABLES:
        monkeypatch.setenv(name, "")  # as compose passes a variable left empty in .env
    settings = RuntimeSettings()
    assert nats_connect_options(settings, "enrollment") == {"inbox_prefix": "_INBOX.enrollment"}
    assert nats_connect_options(settings) == {}


def test_a_deployed_service_presents_its_user_password_and_certificate(
    monkeypatch: pytest.MonkeyPatch, certificates: Path
) -> None:
    monkeypatch.setenv("RINNALLA_NATS_USER", "caselog")
    monkeypatch.setenv("RINNALLA_NATS_PASSWORD", "s3cret")
    monkeypatch.setenv("RINNALLA_NATS_TLS_CA", str(certificates / "caselog" / "ca.crt"))
    monkeypatch.setenv("RINNALLA_NATS_TLS_CERT", str(certificates / "caselog" / "client.crt"))
    monkeypatch.setenv("RINNALLA_NATS_TLS_KEY", str(certificates / "caselog" / "client.key"))
    settings = RuntimeSettings()
    assert "s3cret" not in repr(settings)

    options = nats_connect_options(settings, "caselog")

    assert options["inbox_prefix"] == "_INBOX.caselog"
    assert (options["user"], options["password"]) == ("caselog", "s3cret")
    context = options["tls"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_a_client_certificate_without_its_key_stops_the_process_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINNALLA_NATS_TLS_CERT", "/run/secrets/client.crt")
    with pytest.raises(ValidationError, match="RINNALLA_NATS_TLS_KEY"):
        RuntimeSettings()


def test_a_password_without_a_user_stops_the_process_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINNALLA_NATS_PASSWORD", "s3cret")
    with pytest.raises(ValidationError, match="RINNALLA_NATS_USER") as refused:
        RuntimeSettings()
    assert "s3cret" not in str(refused.value)
