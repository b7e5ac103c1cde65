"""Property-based fuzzing of the OpenAPI document: no request makes the service fail (5xx), and every
answer that the document describes matches its schema. Few examples per operation, to stay quick."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rinnalla_runtime.embedded import free_port, wait_for_port
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import ensure_dev_keys, mint_dev_token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.integration


@pytest.fixture
def live_url(settings: RuntimeSettings, key_dir: Path, nats_url: str, tmp_path: Path) -> Iterator[str]:
    """The API as deployments run it: `rinnalla run api enrollment` in a process of its own.

    A process, not a thread: a server thread writing logs while pytest swaps its output capture has
    crashed the interpreter.
    """
    from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER

    ensure_dev_keys(key_dir)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.require_database_dsn(),
        "NATS_URL": nats_url,
        "RINNALLA_MASTER_KEY": settings.master_key.get_secret_value() if settings.master_key else "",
        "RINNALLA_DATA_DIR": str(tmp_path / "api"),
        "RINNALLA_ENROLLMENT_PORT": str(port),
        "RINNALLA_ENROLLMENT_HOST": "127.0.0.1",
        "RINNALLA_AUTH_DEV_KEY_PATH": str(key_dir),
        "RINNALLA_AUTH_ISSUER": DEV_ISSUER,
        "RINNALLA_AUTH_AUDIENCE": DEV_AUDIENCE,
        "RINNALLA_LOG_LEVEL": "warning",
    }
    log = (tmp_path / "api.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "rinnalla"), "run", "api", "enrollment"], env=env, stdout=log, stderr=log
    )
    try:
        try:
            wait_for_port(port, timeout=60)
        except TimeoutError:
            raise RuntimeError(f"the API did not start: {(tmp_path / 'api.log').read_text()}") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


@pytest.fixture
def api_schema(live_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_url}/openapi.json")  # the contract needs no token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_makes_the_service_fail(case: schemathesis.Case, live_url: str, key_dir: Path) -> None:
    token = mint_dev_token("admin.vantaa", key_dir=key_dir)
    case.call_and_validate(
        base_url=live_url,
        # a purpose the administrator may claim; routes that accept only another answer 422, as documented
        headers={"Authorization": f"Bearer {token}", "X-Purpose": "programme_delivery"},
        checks=[not_a_server_error, response_schema_conformance],
    )
