"""The enrollment service over HTTP for integration tests: `Api` (development tokens per demo user) and
`Worker` (relay and projection runners, and waiting until the read model caught up). The fixtures in
conftest.py build them; test modules import them from here, never from conftest (another package's
conftest may be the one called `conftest` on sys.path)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.main import run_worker
from rinnalla_events.testkit import eventually
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import demo_user, mint_dev_token, usual_purpose


class Worker:
    """The service's worker (`run_worker`) in a task of its own, started when a test first reads."""

    def __init__(self, settings: RuntimeSettings, enrollment: Enrollment) -> None:
        self.settings = settings
        self.enrollment = enrollment
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.nc: Any = None

    async def start(self) -> None:
        if self.task is None:
            self.stop_event = asyncio.Event()
            self.task = asyncio.create_task(run_worker(self.settings, self.stop_event))
        if self.nc is None:
            self.nc = await nats.connect(self.settings.require_nats_url())

    async def caught_up(self, *, within: float = 30.0) -> None:
        """Read-your-writes: wait until every event committed so far is in every read model."""
        await self.start()
        js = self.nc.jetstream()

        async def done() -> bool:
            if self.task is not None and self.task.done():
                self.task.result()  # the worker died: raise its error instead of waiting in vain
                raise AssertionError("the worker stopped")
            return not any((await self.enrollment.projection_lag(js)).values())

        await eventually(done, within=within)

    async def stop(self) -> None:
        if self.task is not None:
            self.stop_event.set()
            async with asyncio.timeout(30):
                await self.task
            self.task = None

    async def close(self) -> None:
        await self.stop()
        if self.nc is not None:
            await self.nc.close()
            self.nc = None


USUAL_PURPOSE = "usual"


@dataclass
class Api:
    client: httpx.AsyncClient
    enrollment: Enrollment
    key_dir: Path
    worker: Worker

    def token(self, user: str, *, purpose: str | None = USUAL_PURPOSE, **claims: Any) -> dict[str, str]:
        """The user's bearer token and, unless `purpose` is None, an X-Purpose: by default the first
        processing purpose the user's roles may claim (programme_delivery for staff, own_child for a guardian)."""
        token = mint_dev_token(user, key_dir=self.key_dir, extra_claims=claims or None)
        headers = {"Authorization": f"Bearer {token}"}
        stated = usual_purpose(demo_user(user).roles) if purpose == USUAL_PURPOSE else purpose
        if stated is not None:
            headers["X-Purpose"] = stated
        return headers

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
        """Wait until the read model shows every command answered so far (the worker runs from then on)."""
        await self.worker.caught_up()
