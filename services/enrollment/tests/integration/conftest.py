"""Fixtures: a migrated database, the service over HTTP, and development tokens per demo user."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment
from rinnalla_enrollment.main import create_app, migrate
from rinnalla_events.crypto import new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings, mint_dev_token

# Lets the test modules import the shared scenario in enrollment_scenario.py.
sys.path.insert(0, str(Path(__file__).parent))


@dataclass
class Api:
    client: httpx.AsyncClient
    enrollment: Enrollment
    key_dir: Path

    def token(self, user: str, **claims: Any) -> dict[str, str]:
        token = mint_dev_token(user, key_dir=self.key_dir, extra_claims=claims or None)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "programme_delivery"}

    async def command(
        self, path: str, body: dict[str, Any], *, user: str = "coordinator.vantaa", key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {**self.token(user), "Idempotency-Key": key or str(uuid.uuid4()), **(headers or {})}
        return await self.client.post(f"/v1{path}", json=body, headers=sent)

    async def ok(self, path: str, body: dict[str, Any], **options: Any) -> dict[str, Any]:
        response = await self.command(path, body, **options)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def get(self, path: str, *, user: str, params: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.get(f"/v1{path}", headers=self.token(user), params=params)

    async def project(self) -> None:
        await self.enrollment.projector.catch_up()


@pytest.fixture
async def settings(database_url: str, tmp_path: Path) -> RuntimeSettings:
    settings = RuntimeSettings(database_url=database_url, master_key=new_master_key(), data_dir=tmp_path)
    await migrate(settings)
    return settings


@pytest.fixture
async def enrollment(settings: RuntimeSettings) -> AsyncIterator[Enrollment]:
    async with open_enrollment(settings) as opened:
        yield opened


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "dev-keys"


@pytest.fixture
def app(settings: RuntimeSettings, enrollment: Enrollment, key_dir: Path) -> Any:
    return create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))


@pytest.fixture
async def api(app: Any, enrollment: Enrollment, key_dir: Path) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://enrollment.test") as client:
        yield Api(client, enrollment, key_dir)
