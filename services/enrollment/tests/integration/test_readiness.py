"""Operators and orchestrators ask /readyz whether the service can work: both servers must answer."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rinnalla_enrollment.main import create_app
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings

pytestmark = pytest.mark.integration


async def ready(settings: RuntimeSettings, key_dir: Path) -> httpx.Response:
    app = create_app(settings, auth=AuthSettings.for_development(key_dir))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://enrollment.test") as client:
        return await client.get("/readyz")


async def test_ready_when_postgres_and_nats_answer(settings: RuntimeSettings, nats_url: str, key_dir: Path) -> None:
    response = await ready(settings.model_copy(update={"nats_url": nats_url}), key_dir)
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"postgres", "nats"}


async def test_not_ready_while_nats_is_unreachable(settings: RuntimeSettings, key_dir: Path) -> None:
    response = await ready(settings.model_copy(update={"nats_url": f"nats://127.0.0.1:{free_port()}"}), key_dir)
    assert response.status_code == 503
    assert response.json()["checks"]["postgres"] == "ok"
    assert response.json()["checks"]["nats"] != "ok"


async def test_not_ready_while_postgres_is_unreachable(settings: RuntimeSettings, nats_url: str, key_dir: Path) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    response = await ready(settings.model_copy(update={"database_url": down, "nats_url": nats_url}), key_dir)
    assert response.status_code == 503
    assert response.json()["checks"]["postgres"] != "ok"
