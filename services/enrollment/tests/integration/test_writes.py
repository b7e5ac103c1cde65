"""Concurrent writes, retries and idempotency keys, through the HTTP API."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from enrollment_scenario import TEAM, partnership_with_teams
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_events import Outcome

pytestmark = pytest.mark.integration


async def event_count(api) -> int:
    async with api.enrollment.connections.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM enrollment.events"))


@dataclass
class _Rendezvous:
    """Holds every writer at its commit until `expected` writers have decided: a deterministic race."""

    expected: int
    arrived: int = 0
    event: asyncio.Event | None = None

    async def wait(self) -> None:
        self.event = self.event or asyncio.Event()
        self.arrived += 1
        if self.arrived >= self.expected:
            self.event.set()
        await self.event.wait()


class _RacingWriter(EnrollmentWriter):
    rendezvous: _Rendezvous

    async def commit(self, changes: Any, result: dict[str, Any], *, tenant: str | None = None) -> Outcome:
        await self.rendezvous.wait()
        return await super().commit(changes, result, tenant=tenant)


async def test_two_concurrent_conflicting_writes_one_wins_and_the_other_gets_409(api, monkeypatch):
    await partnership_with_teams(api)
    rendezvous = _Rendezvous(expected=2)
    original = api.enrollment.writer

    def racing_writer(metadata: Any, idempotency: Any = None) -> EnrollmentWriter:
        plain = original(metadata, idempotency)
        writer = _RacingWriter(plain.store, plain.metadata, plain.idempotency, identity_keys=plain.identity_keys,
                               identity_index=plain.identity_index)
        writer.rendezvous = rendezvous
        return writer

    monkeypatch.setattr(api.enrollment, "writer", racing_writer)
    # Both see the team without a resource mentor and decide; only one may append.
    responses = await asyncio.gather(
        api.command(f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-a", "role": "resource", "starts_on": "2025-09-01"}),
        api.command(f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-b", "role": "resource", "starts_on": "2025-09-01"}),
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], [r.text for r in responses]
    conflict = next(r for r in responses if r.status_code == 409)
    assert conflict.json()["type"] == "urn:rinnalla:problem:concurrency_conflict"
    monkeypatch.undo()
    await api.project()
    overview = await api.get("/teams", user="coordinator.vantaa")
    team = next(t for t in overview.json() if t["team_id"] == TEAM)
    assert len([m for m in team["mentors"] if m["role"] == "resource"]) == 1


async def test_a_retried_command_returns_the_same_result_and_records_nothing_more(api):
    await partnership_with_teams(api)
    key = str(uuid.uuid4())
    body = {"mentor_id": "mentor-r", "role": "resource", "starts_on": "2025-09-01"}
    first = await api.command(f"/teams/{TEAM}/mentors", body, key=key)
    count = await event_count(api)

    again = await api.command(f"/teams/{TEAM}/mentors", body, key=key)

    assert first.status_code == again.status_code == 200
    assert {**again.json(), "replayed": False} == first.json()
    assert again.json()["replayed"] is True and again.headers["Idempotent-Replayed"] == "true"
    assert await event_count(api) == count


async def test_the_same_key_with_another_body_is_refused(api):
    await partnership_with_teams(api)
    key = str(uuid.uuid4())
    await api.ok(f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-x", "role": "resource", "starts_on": "2025-09-01"},
                 key=key)
    count = await event_count(api)

    response = await api.command(
        f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-y", "role": "resource", "starts_on": "2025-09-01"}, key=key
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:rinnalla:problem:idempotency_key_reused"
    assert await event_count(api) == count


async def test_a_command_without_an_idempotency_key_is_refused(api):
    await partnership_with_teams(api)
    headers = api.token("coordinator.vantaa")
    response = await api.client.post(
        f"/v1/teams/{TEAM}/activation", json={"activated_on": "2026-08-10"}, headers=headers
    )
    assert response.status_code == 422
    assert any(e["field"] == "header.Idempotency-Key" for e in response.json()["errors"])
