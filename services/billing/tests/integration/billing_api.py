"""The test harness: the billing worker, enrollment's events on its stream, the API with tokens."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.main import run_worker
from rinnalla_events import Envelope, Subjects, ensure_stream
from rinnalla_events.testkit import eventually
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import mint_dev_token


class Worker:
    """The service's worker (`run_worker`) in a task of its own, started when a test first waits for it."""

    def __init__(self, settings: RuntimeSettings, billing: Billing) -> None:
        self.settings = settings
        self.billing = billing
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
        await self.start()
        js = self.nc.jetstream()

        async def done() -> bool:
            if self.task is not None and self.task.done():
                self.task.result()
                raise AssertionError("the worker stopped")
            return not any((await self.billing.projection_lag(js)).values())

        await eventually(done, within=within)

    async def close(self) -> None:
        if self.task is not None:
            self.stop_event.set()
            async with asyncio.timeout(30):
                await self.task
            self.task = None
        if self.nc is not None:
            await self.nc.close()
            self.nc = None


@dataclass
class Enrollment:
    """Publishes enrollment's events (the payloads of its published schemas) to enrollment's stream, as its
    relay would; billing reads them through its tolerant readers."""

    nats_url: str
    subjects: Subjects
    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    position: int = 0

    async def publish(self, stream_type: str, stream_id: str, event_type: str, payload: dict[str, Any]) -> None:
        key = (stream_type, stream_id)
        self.versions[key] = self.versions.get(key, 0) + 1
        self.position += 1
        now = datetime.now(UTC)
        envelope = Envelope(
            event_id=uuid.uuid4(), stream_type=stream_type, stream_id=stream_id, version=self.versions[key],
            position=self.position, event_type=f"enrollment.{event_type}", schema_version=1, occurred_at=now,
            recorded_at=now, tenant="092", actor="coordinator", correlation_id=uuid.uuid4(), payload=payload,
        )
        client = await nats.connect(self.nats_url)
        try:
            js = client.jetstream()
            await ensure_stream(js, self.subjects, "enrollment")
            headers = {"Nats-Msg-Id": str(envelope.event_id), "Rinnalla-Event-Type": envelope.event_type,
                       "Rinnalla-Schema-Version": "1", "Rinnalla-Tenant": "092"}
            await js.publish(self.subjects.subject_for("enrollment", envelope), envelope.to_wire(), headers=headers)
        finally:
            await client.close()

    async def partnership(
        self, partnership_id: str, teams: dict[str, date | None], *, team_count: int | None = None,
        municipality_code: str = "092",
    ) -> None:
        """A partnership of `municipality_code` whose agreement is signed, with its teams (activated on the
        date given, or not yet)."""
        await self.publish("partnership", partnership_id, "PartnershipOpened", {
            "partnership_id": partnership_id, "municipality_code": municipality_code, "business_id": "0124610-9",
            "county_code": "01", "opened_on": "2025-09-01"})
        await self.publish("partnership", partnership_id, "PartnershipAgreementSigned", {
            "partnership_id": partnership_id, "signed_on": "2025-11-01", "team_count": team_count or len(teams),
            "valid_from": "2026-01-01", "valid_until": None, "annual_amount_eur": None})
        for team_id, activated_on in teams.items():
            await self.team(team_id, partnership_id, activated_on, municipality_code=municipality_code)

    async def team(
        self, team_id: str, partnership_id: str, activated_on: date | None, *, municipality_code: str = "092"
    ) -> None:
        await self.publish("team", team_id, "TeamFounded", {
            "team_id": team_id, "name": f"Team {team_id}", "municipality_code": municipality_code,
            "county_code": "01", "area": "Tikkurila", "main_school": {"name": "School", "code": ""},
            "other_schools": [], "cohort_birth_years": [2019], "founded_on": "2025-10-01", "gender": "mixed",
            "max_size": 20, "partnership_id": partnership_id})
        await self.publish("partnership", partnership_id, "TeamAddedToPartnership", {
            "partnership_id": partnership_id, "team_id": team_id})
        if activated_on is not None:
            await self.publish("team", team_id, "TeamActivated", {
                "team_id": team_id, "activated_on": activated_on.isoformat()})

    async def terminate(self, team_id: str, on: date) -> None:
        await self.publish("team", team_id, "TeamTerminated", {
            "team_id": team_id, "terminated_on": on.isoformat(), "reason": "funding_ended", "details": ""})


@dataclass
class Api:
    client: httpx.AsyncClient
    billing: Billing
    key_dir: Path
    worker: Worker
    enrollment: Enrollment

    def token(self, user: str, tenants: list[str] | None = None) -> dict[str, str]:
        claims = {"tenants": tenants} if tenants is not None else None
        return {"Authorization": f"Bearer {mint_dev_token(user, key_dir=self.key_dir, extra_claims=claims)}"}

    async def command(
        self, path: str, body: dict[str, Any] | None = None, *, user: str = "finance.vantaa", key: str | None = None,
        tenants: list[str] | None = None,
    ) -> httpx.Response:
        headers = {**self.token(user, tenants), "Idempotency-Key": key or str(uuid.uuid4())}
        return await self.client.post(f"/v1{path}", json=body or {}, headers=headers)

    async def ok(self, path: str, body: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        response = await self.command(path, body, **options)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def get(
        self, path: str, *, user: str = "finance.vantaa", params: dict[str, str] | None = None,
        tenants: list[str] | None = None,
    ) -> httpx.Response:
        return await self.client.get(f"/v1{path}", headers=self.token(user, tenants), params=params)

    async def read(self, path: str, **options: Any) -> Any:
        response = await self.get(path, **options)
        assert response.status_code == 200, response.text
        return response.json()

    async def project(self) -> None:
        await self.worker.caught_up()


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


