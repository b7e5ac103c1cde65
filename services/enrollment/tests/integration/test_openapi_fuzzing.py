"""Property-based fuzzing of the OpenAPI document: no request makes the service fail (5xx), and every
answer that the document describes matches its schema. Few examples per operation, to stay quick."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from rinnalla_enrollment.main import create_app
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings, mint_dev_token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.integration


@pytest.fixture
def live_url(settings: RuntimeSettings, key_dir: Path) -> Iterator[str]:
    """The API on a real port, in a thread with its own event loop and its own database pool."""
    app = create_app(settings, auth=AuthSettings.for_development(key_dir))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def api_schema(live_url: str, key_dir: Path) -> schemathesis.BaseSchema:
    # The API document itself needs a token, like every path but the probes.
    token = mint_dev_token("admin.vantaa", key_dir=key_dir)
    return schemathesis.openapi.from_url(f"{live_url}/openapi.json", headers={"Authorization": f"Bearer {token}"})


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_makes_the_service_fail(case: schemathesis.Case, live_url: str, key_dir: Path) -> None:
    token = mint_dev_token("admin.vantaa", key_dir=key_dir)
    case.call_and_validate(
        base_url=live_url,
        headers={"Authorization": f"Bearer {token}", "X-Purpose": "api_fuzzing"},
        checks=[not_a_server_error, response_schema_conformance],
    )
