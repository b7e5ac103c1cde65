"""PostgreSQL goes down under a running service: commands answer 503, nothing is half-written, and the
service works again when the database is back."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_enrollment.main import create_app, migrate
from rinnalla_events import new_master_key
from rinnalla_runtime.embedded import EmbeddedPostgres
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings, mint_dev_token

pytestmark = [pytest.mark.integration, pytest.mark.slow]


PARTNERSHIP = {"municipality_code": "092", "opened_on": "2026-01-05"}


async def test_commands_answer_503_while_postgres_is_down_and_work_after(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg", fast_unsafe=True).start()
    try:
        settings = RuntimeSettings(database_url=pg.url, master_key=new_master_key(), data_dir=tmp_path)
        await migrate(settings)
        key_dir = tmp_path / "keys"
        headers = {
            "Authorization": f"Bearer {mint_dev_token('coordinator.vantaa', key_dir=key_dir)}",
            "X-Purpose": "programme_delivery",
        }
        async with open_enrollment(settings) as enrollment:
            app = create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://enrollment.test") as client:

                async def open_partnership(partnership_id: str) -> httpx.Response:
                    return await client.post(
                        f"/v1/partnerships/{partnership_id}",
                        json=PARTNERSHIP,
                        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                    )

                pg.stop()
                down = await open_partnership("p-during-outage")
                assert down.status_code == 503, down.text
                assert down.json()["type"] == "urn:rinnalla:problem:service_unavailable"
                assert "Retry-After" in down.headers
                assert "Traceback" not in down.text

                pg.start()
                assert (await open_partnership("p-after-outage")).status_code == 200
        conn = await asyncpg.connect(pg.url)
        try:
            streams = {r["stream_id"] for r in await conn.fetch("SELECT stream_id FROM enrollment.events")}
        finally:
            await conn.close()
        assert streams == {"p-after-outage"}
    finally:
        pg.stop()
