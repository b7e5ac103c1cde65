"""What every service gets from the skeleton, checked on each service built after enrollment: migrations,
probes, metrics, access control, and a worker whose relay publishes the service's event store to its own
stream."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import nats
import pytest
from rinnalla_events import new_master_key
from rinnalla_runtime.service import ServiceSpec, find_service
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER

pytestmark = pytest.mark.integration

SHELLS = ["caselog", "network", "billing"]


@pytest.fixture(params=SHELLS)
def spec(request: pytest.FixtureRequest) -> ServiceSpec:
    return find_service(request.param)


@pytest.fixture
async def settings(
    spec: ServiceSpec,
    database_url: str,
    nats_url: str,
    tmp_path: Path,
    subject_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> RuntimeSettings:
    monkeypatch.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
    monkeypatch.setenv("RINNALLA_AUTH_DEV_KEY_PATH", str(tmp_path / "keys"))
    monkeypatch.setenv("RINNALLA_AUTH_ISSUER", DEV_ISSUER)
    monkeypatch.setenv("RINNALLA_AUTH_AUDIENCE", DEV_AUDIENCE)
    settings = RuntimeSettings(
        database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
    )
    await spec.migrate(settings)
    await spec.migrate(settings)  # a second run changes nothing
    return settings


async def test_probes_metrics_and_authentication(spec: ServiceSpec, settings: RuntimeSettings) -> None:
    app = spec.create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc.test") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert set(ready.json()["checks"]) == {"postgres", "nats"}
        assert (await client.get("/metrics")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200  # the contract is open
        refused = await client.get("/v1/anything")  # everything else needs a token
        assert refused.status_code == 401
        assert refused.headers["Content-Type"] == "application/problem+json"


async def test_the_worker_starts_the_stream_and_stops_on_request(
    spec: ServiceSpec, settings: RuntimeSettings, subject_prefix: str
) -> None:
    stop = asyncio.Event()
    worker = asyncio.create_task(spec.run_worker(settings, stop))
    client = await nats.connect(settings.require_nats_url())
    try:
        js = client.jetstream()
        stream = f"{subject_prefix}_{spec.name}".upper()
        async with asyncio.timeout(30):
            while True:
                try:
                    await js.stream_info(stream)
                    break
                except nats.js.errors.NotFoundError:
                    await asyncio.sleep(0.05)
    finally:
        await client.close()
    stop.set()
    async with asyncio.timeout(30):
        await worker
