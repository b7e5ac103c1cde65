"""Helpers of the integration tests: enrollment as the real producer of the facts the case log reads (its
demo data, its API, its relay to JetStream), and the case log over HTTP with its worker, on one migrated
database and real NATS.

The demo data: team A of Vantaa (team-092-2019-a) led by the demo mentor (`user-mentor.vantaa`) since
2025-08-01 with children child-092-0001..0010; team B (team-092-2019-b) led by mentor-092-0002 with
children 0011 and 0012.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
from rinnalla_caselog import main as caselog_main
from rinnalla_caselog.bootstrap import Caselog
from rinnalla_enrollment import main as enrollment_main
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_events.testkit import eventually
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import demo_user, mint_dev_token, usual_purpose

TODAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
"""The case log's clock in these tests: contacts dated after it are in the future."""

TEAM_A = "team-092-2019-a"
TEAM_B = "team-092-2019-b"
TEAM_B_MENTOR = {"sub": "mentor-092-0002"}


class Workers:
    """Both services' workers (relays and projections) in tasks of their own, started on first use."""

    def __init__(self, settings: RuntimeSettings, enrollment: Enrollment, caselog: Caselog) -> None:
        self.settings = settings
        self.enrollment = enrollment
        self.caselog = caselog
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.nc: Any = None

    async def start(self) -> None:
        if not self.tasks:
            self.stop_event = asyncio.Event()
            self.tasks = [
                asyncio.create_task(enrollment_main.run_worker(self.settings, self.stop_event)),
                asyncio.create_task(caselog_main.run_worker(self.settings, self.stop_event)),
            ]
        if self.nc is None:
            self.nc = await nats.connect(self.settings.require_nats_url())

    async def caught_up(self, *, within: float = 60.0) -> None:
        """Every event either service committed so far is published and in every case-log read model."""
        await self.start()
        js = self.nc.jetstream()

        async def done() -> bool:
            for task in self.tasks:
                if task.done():
                    task.result()
                    raise AssertionError("a worker stopped")
            if await self.enrollment.unpublished():
                return False
            return not any((await self.caselog.projection_lag(js)).values())

        await eventually(done, within=within)

    async def stop(self) -> None:
        if self.tasks:
            self.stop_event.set()
            async with asyncio.timeout(30):
                await asyncio.gather(*self.tasks)
            self.tasks = []

    async def close(self) -> None:
        await self.stop()
        if self.nc is not None:
            await self.nc.close()
            self.nc = None


@dataclass
class Api:
    caselog_http: httpx.AsyncClient
    enrollment_http: httpx.AsyncClient
    caselog: Caselog
    enrollment: Enrollment
    key_dir: Path
    workers: Workers

    def headers(self, user: str, *, purpose: str | None = "usual", **claims: Any) -> dict[str, str]:
        token = mint_dev_token(user, key_dir=self.key_dir, extra_claims=claims or None)
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        stated = usual_purpose(demo_user(user).roles) if purpose == "usual" else purpose
        if stated is not None:
            headers["X-Purpose"] = stated
        return headers

    async def post(
        self, path: str, body: dict[str, Any], *, user: str = "mentor.vantaa", key: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = self.headers(user, **(claims or {}))
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self.caselog_http.post(f"/v1{path}", json=body, headers=headers)

    async def get(
        self, path: str, *, user: str = "mentor.vantaa", claims: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.caselog_http.get(f"/v1{path}", headers=self.headers(user, **(claims or {})))

    async def enrollment_command(self, path: str, body: dict[str, Any], *, user: str = "coordinator.vantaa") -> None:
        response = await self.enrollment_http.post(f"/v1{path}", json=body, headers=self.headers(user))
        assert response.status_code == 200, response.text

    async def enrollment_erasure(self, child_id: str) -> None:
        headers = self.headers("dpo.vantaa", purpose=None)
        response = await self.enrollment_http.post(
            f"/v1/children/{child_id}/erasure", json={"reason": "the guardian's erasure request"}, headers=headers
        )
        assert response.status_code == 200, response.text

    async def project(self) -> None:
        await self.workers.caught_up()


def contact(
    child_ids: tuple[str, ...] = ("child-092-0001",), on: str = "2026-10-05", **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "on": on,
        "minutes": 45,
        "setting": "home_visit_or_family_meeting",
        "participants": ["guardian"],
        "children": [
            {"child_id": child_id, "note": f"note about {child_id}", "outcome_areas": ["family_everyday_life"]}
            for child_id in child_ids
        ],
    }
    body.update(overrides)
    return body
