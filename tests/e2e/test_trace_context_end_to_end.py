"""End to end: the W3C trace context of an HTTP command travels with its event, from the request to the
stored event row, to the message the relay publishes on NATS, to the projection that applies it.

The service runs as the stack runs it: a process-wide tracer provider (as `rinnalla run` and `rinnalla stack
up` install it), migrations, the API (over an in-process transport), and the worker in a task, against real
PostgreSQL and NATS. Finished spans are collected in memory to see the projection's span.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from nats.js.errors import NotFoundError
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment
from rinnalla_enrollment.config import EVENT_SCHEMA, SERVICE_NAME
from rinnalla_enrollment.demo import load_demo
from rinnalla_enrollment.main import create_app, migrate, run_worker
from rinnalla_events import SUBJECT_STREAM, Subjects, new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_runtime.telemetry import configure_tracing
from rinnalla_security import AuthSettings, mint_dev_token

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
WAIT_ROUNDS = 600  # x 0.05 s: a bound on waiting for the worker, not a speed requirement


@dataclass
class Service:
    http: httpx.AsyncClient
    key_dir: Path
    database_url: str
    nats_url: str
    subjects: Subjects
    enrollment: Enrollment

    async def ok(
        self, path: str, body: dict[str, Any], *, user: str = "coordinator.vantaa",
        headers: dict[str, str] | None = None,
    ) -> None:
        token = mint_dev_token(user, key_dir=self.key_dir)
        sent = {
            "Authorization": f"Bearer {token}", "X-Purpose": "programme_delivery",
            "Idempotency-Key": str(uuid.uuid4()), **(headers or {}),
        }
        response = await self.http.post(f"/v1{path}", json=body, headers=sent)
        assert response.status_code == 200, response.text

    async def open_partnership(self, partnership_id: str, headers: dict[str, str] | None = None) -> None:
        await self.ok(
            f"/partnerships/{partnership_id}", {"municipality_code": "092", "opened_on": "2025-01-15"}, headers=headers
        )

    async def stored(self, stream_type: str, stream_id: str) -> asyncpg.Record:
        conn = await asyncpg.connect(self.database_url)
        try:
            row = await conn.fetchrow(
                f"SELECT event_id, traceparent FROM {EVENT_SCHEMA}.events WHERE stream_type = $1 AND stream_id = $2",
                stream_type, stream_id,
            )
        finally:
            await conn.close()
        assert row is not None, f"no event stored for {stream_type}/{stream_id}"
        return row

    async def published_headers(self, event_id: uuid.UUID) -> dict[str, str]:
        """The headers of the message the relay published for the event (waits for the relay)."""
        nc = await nats.connect(self.nats_url)
        try:
            js = nc.jetstream()
            stream = self.subjects.stream_name(SERVICE_NAME)
            for _ in range(WAIT_ROUNDS):
                try:
                    info = await js.stream_info(stream)
                except NotFoundError:
                    info = None
                if info is not None:  # an empty stream reports 0 as its first sequence
                    for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
                        message = await js.get_msg(stream, seq)
                        headers = dict(message.headers or {})
                        if headers.get("Nats-Msg-Id") == str(event_id):
                            return headers
                await asyncio.sleep(0.05)
        finally:
            await nc.close()
        raise AssertionError(f"the relay never published event {event_id}")


@pytest.fixture
def finished_spans() -> Iterator[InMemorySpanExporter]:
    """The process-wide tracer provider, as the stack installs it, with an in-memory exporter attached."""
    provider = configure_tracing("rinnalla-e2e")
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # the provider stays for the process; a shut exporter keeps nothing more


@pytest.fixture
async def service(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    finished_spans: InMemorySpanExporter,
) -> AsyncIterator[Service]:
    monkeypatch.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
    settings = RuntimeSettings(
        database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
    )
    await migrate(settings)
    key_dir = tmp_path / "dev-keys"
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop))
    try:
        async with open_enrollment(settings) as enrollment:
            app = create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://enrollment.test") as http:
                yield Service(http, key_dir, database_url, nats_url, enrollment.subjects, enrollment)
    finally:
        stop.set()
        await worker


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(WAIT_ROUNDS):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def trace_id_of(traceparent: str | None) -> str | None:
    return traceparent.split("-")[1] if traceparent else None


def projection_spans(exporter: InMemorySpanExporter, event_id: uuid.UUID) -> list[ReadableSpan]:
    return [
        span for span in exporter.get_finished_spans()
        if span.name.startswith("projection ") and span.attributes and span.attributes.get("event.id") == str(event_id)
    ]


async def test_the_callers_trace_reaches_the_stored_event_the_bus_and_the_projection(
    service: Service, finished_spans: InMemorySpanExporter
) -> None:
    await service.open_partnership(
        "partnership-092-traced", headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"}
    )

    row = await service.stored("partnership", "partnership-092-traced")
    assert trace_id_of(row["traceparent"]) == TRACE_ID

    headers = await service.published_headers(row["event_id"])
    assert trace_id_of(headers.get("traceparent")) == TRACE_ID

    async def projected() -> bool:
        return bool(projection_spans(finished_spans, row["event_id"]))

    await eventually(projected, "a projection span for the event")
    for span in projection_spans(finished_spans, row["event_id"]):
        assert span.context is not None
        assert f"{span.context.trace_id:032x}" == TRACE_ID


async def test_a_command_without_a_caller_trace_stores_the_server_spans_new_trace(
    service: Service, finished_spans: InMemorySpanExporter
) -> None:
    await service.open_partnership("partnership-092-untraced")

    row = await service.stored("partnership", "partnership-092-untraced")
    stored_trace = trace_id_of(row["traceparent"])
    assert stored_trace is not None
    route = "POST /v1/partnerships/{partnership_id}"
    server_spans = [s for s in finished_spans.get_finished_spans() if s.name == route]
    assert [f"{s.context.trace_id:032x}" for s in server_spans if s.context] == [stored_trace]


async def test_each_demo_command_is_a_trace_of_its_own(service: Service) -> None:
    await load_demo(service.enrollment)

    async with service.enrollment.connections.acquire() as conn:
        rows = await conn.fetch(f"SELECT correlation_id, traceparent FROM {EVENT_SCHEMA}.events")
    assert rows and all(row["traceparent"] for row in rows)
    traces_per_command = {row["correlation_id"]: trace_id_of(row["traceparent"]) for row in rows}
    assert len(set(traces_per_command.values())) == len(traces_per_command)


async def test_an_erasure_requested_over_http_carries_the_callers_trace(service: Service) -> None:
    partnership, team, child = "partnership-092-erasure", "team-092-2019-a", "child-092-erasure"
    await service.open_partnership(partnership)
    await service.ok(f"/partnerships/{partnership}/agreement",
                     {"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"})
    for team_id in (team, "team-092-2019-b"):
        await service.ok(f"/teams/{team_id}", {
            "name": f"Vantaa {team_id[-1]}", "municipality_code": "092", "area": "Hakunila",
            "main_school": {"name": "Hakunilan koulu"}, "cohort_birth_years": [2019], "founded_on": "2025-08-01",
            "partnership_id": partnership,
        })
    await service.ok(f"/children/{child}/nomination", {
        "municipality_code": "092", "team_id": team, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
        "preschool_reference": "esiopetus-aada", "cohort_year": 2019,
    })

    await service.ok(f"/children/{child}/erasure", {"reason": "Guardian's erasure request"}, user="dpo.vantaa",
                     headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01", "X-Purpose": "data_subject_erasure"})

    row = await service.stored(SUBJECT_STREAM, child)
    assert trace_id_of(row["traceparent"]) == TRACE_ID
