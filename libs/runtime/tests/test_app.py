"""The service skeleton, as an orchestrator, a caller and an operator see it."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel
from rinnalla_runtime.app import create_service_app
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.logging import configure_logging, get_logger, reset_logging
from rinnalla_runtime.readiness import ReadinessCheck, nats_url_check, postgres_check
from rinnalla_runtime.settings import RuntimeSettings

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"


class Echo(BaseModel):
    text: str


def demo_router() -> APIRouter:
    router = APIRouter()

    @router.get("/ping/{name}")
    async def ping(name: str) -> dict[str, str]:
        context = trace.get_current_span().get_span_context()
        get_logger("test.endpoint").info("pinged", name=name)
        return {"pong": name, "trace_id": format(context.trace_id, "032x")}

    @router.post("/echo")
    async def echo(body: Echo) -> Echo:
        return body

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("handler bug")

    return router


async def passing() -> None:
    return None


async def failing() -> None:
    raise ConnectionRefusedError("connection refused")


async def hanging() -> None:
    await asyncio.sleep(3600)


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    yield stream
    reset_logging()


def make_app(spans: InMemorySpanExporter, checks: dict[str, ReadinessCheck] | None = None, **settings: Any) -> FastAPI:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return create_service_app(
        "demo",
        RuntimeSettings(readiness_timeout_seconds=0.2, **settings),
        [demo_router()],
        checks,
        tracer_provider=provider,
    )


@pytest.fixture
async def client(spans: InMemorySpanExporter) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(spans, {"always": passing}, max_request_body_bytes=2048)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
        yield c


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def test_healthz_says_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive", "service": "demo"}


@pytest.mark.parametrize(("check", "expected_reason"), [(failing, "ConnectionRefusedError"), (hanging, "timed out")])
async def test_readyz_is_503_while_a_dependency_fails(
    spans: InMemorySpanExporter, check: ReadinessCheck, expected_reason: str
) -> None:
    app = make_app(spans, {"postgres": passing, "nats": check})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["postgres"] == "ok"
    assert expected_reason in body["checks"]["nats"]


async def test_readyz_is_200_when_every_check_passes(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"always": "ok"}}


async def test_a_check_added_after_start_counts(spans: InMemorySpanExporter) -> None:
    app = make_app(spans)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
        assert (await c.get("/readyz")).status_code == 200
        app.state.readiness_checks["late"] = failing
        assert (await c.get("/readyz")).status_code == 503


@pytest.mark.integration
async def test_readyz_with_real_postgres_and_nats(
    spans: InMemorySpanExporter, database_url: str, nats_url: str
) -> None:
    app = make_app(spans, {"postgres": postgres_check(database_url), "nats": nats_url_check(nats_url)})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
        response = await c.get("/readyz")
    assert response.status_code == 200, response.text


@pytest.mark.integration
async def test_readyz_is_503_when_postgres_and_nats_are_unreachable(spans: InMemorySpanExporter) -> None:
    closed = free_port()
    app = make_app(
        spans,
        {
            "postgres": postgres_check(f"postgresql://postgres@127.0.0.1:{closed}/postgres"),
            "nats": nats_url_check(f"nats://127.0.0.1:{closed}"),
        },
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    assert all(result != "ok" for result in response.json()["checks"].values())


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/v1/ping/alice")
    await client.get("/v1/ping/bob")
    text = (await client.get("/metrics")).text
    assert (
        'rinnalla_http_requests_total{method="GET",route="/v1/ping/{name}",service="demo",status="200",'
        'status_class="2xx"} 2.0'
    ) in text
    assert "rinnalla_http_request_duration_seconds_bucket" in text
    assert "process_cpu_seconds_total" in text


async def test_the_request_id_is_the_servers_own_and_the_callers_is_echoed_separately(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/ping/alice", headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] != "req-42"
    assert len(response.headers["X-Request-ID"]) == 32
    assert response.headers["X-Client-Request-ID"] == "req-42"


async def test_a_request_id_is_made_when_absent_or_unsafe(client: httpx.AsyncClient) -> None:
    made = (await client.get("/v1/ping/alice")).headers["X-Request-ID"]
    replaced = (await client.get("/v1/ping/alice", headers={"X-Request-ID": "bad id\twith spaces"})).headers[
        "X-Request-ID"
    ]
    assert len(made) == 32
    assert replaced != "bad id\twith spaces"
    assert len(replaced) == 32
    assert "X-Client-Request-ID" not in (
        await client.get("/v1/ping/alice", headers={"X-Request-ID": "bad id\twith spaces"})
    ).headers


async def test_trace_context_is_continued_and_logged(
    client: httpx.AsyncClient, spans: InMemorySpanExporter, log_stream: io.StringIO
) -> None:
    response = await client.get(
        "/v1/ping/alice",
        headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01", "X-Request-ID": "req-7"},
    )
    assert response.json()["trace_id"] == TRACE_ID

    (server_span,) = spans.get_finished_spans()
    assert server_span.name == "GET /v1/ping/{name}"
    assert server_span.kind == trace.SpanKind.SERVER
    assert format(server_span.context.trace_id, "032x") == TRACE_ID
    assert server_span.parent is not None
    assert format(server_span.parent.span_id, "016x") == PARENT_SPAN_ID

    lines = log_lines(log_stream)
    endpoint_line = next(line for line in lines if line["event"] == "pinged")
    access_line = next(line for line in lines if line["event"] == "http.request")
    for line in (endpoint_line, access_line):
        assert line["trace_id"] == TRACE_ID
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert line["client_request_id"] == "req-7"
    assert access_line["status"] == 200
    assert access_line["route"] == "/v1/ping/{name}"


async def test_oversized_body_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/echo", json={"text": "x" * 4096}, headers={"X-Request-ID": "big"})
    assert response.status_code == 413
    assert len(response.headers["X-Request-ID"]) == 32
    assert response.headers["X-Client-Request-ID"] == "big"
    assert (await client.post("/v1/echo", json={"text": "small"})).json() == {"text": "small"}


async def test_bad_input_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/echo", json={"txt": "typo"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "text"]


async def test_an_unhandled_error_is_a_500_with_the_request_id(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/v1/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:rinnalla:problem:internal_error"
    request_id = response.headers["X-Request-ID"]
    assert response.json()["request_id"] == request_id != "req-500"
    error_line = next(line for line in log_lines(log_stream) if line["event"] == "http.unhandled_error")
    assert error_line["request_id"] == request_id
    assert error_line["client_request_id"] == "req-500"
    assert "handler bug" in json.dumps(error_line["exception"])


async def test_openapi_lists_the_routers_under_v1(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/v1/ping/{name}" in paths
    assert "/healthz" in paths
    assert "/readyz" in paths
