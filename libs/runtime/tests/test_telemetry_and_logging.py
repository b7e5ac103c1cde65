"""Trace context through header dictionaries (HTTP and NATS alike), tracer setup, and log line shape."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from rinnalla_runtime.logging import configure_logging, get_logger, reset_logging
from rinnalla_runtime.telemetry import (
    current_trace_headers,
    extract_trace_context,
    inject_trace_context,
    make_span_exporter,
)

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_injected_headers_carry_the_current_span() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("publish") as span:
        headers = inject_trace_context({"Nats-Msg-Id": "e1"})
        traceparent, _ = current_trace_headers()

    context = span.get_span_context()
    assert headers["Nats-Msg-Id"] == "e1"
    assert headers["traceparent"].startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")
    assert traceparent == headers["traceparent"]


def test_nothing_is_injected_outside_a_span() -> None:
    assert inject_trace_context() == {}


@pytest.mark.parametrize("name", ["traceparent", "Traceparent", "TRACEPARENT"])
def test_extraction_ignores_header_case_and_continues_the_trace(name: str) -> None:
    context = extract_trace_context({name: TRACEPARENT, "tracestate": "vendor=1"})
    parent = trace.get_current_span(context).get_span_context()

    assert f"{parent.trace_id:032x}" == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert f"{parent.span_id:016x}" == "00f067aa0ba902b7"
    assert parent.is_remote
    assert parent.trace_state.get("vendor") == "1"

    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("consume", context=context) as child:
        assert child.get_span_context().trace_id == parent.trace_id


def test_a_malformed_traceparent_starts_a_new_trace() -> None:
    context = extract_trace_context({"traceparent": "garbage"})
    assert not trace.get_current_span(context).get_span_context().is_valid


def test_otlp_without_its_package_says_what_to_install() -> None:
    try:
        import opentelemetry.exporter.otlp.proto.http  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="opentelemetry-exporter-otlp-proto-http"):
            make_span_exporter("otlp")
    else:
        assert make_span_exporter("otlp") is not None


CONSOLE_TRACING = """
from rinnalla_runtime.telemetry import configure_tracing
from opentelemetry import trace
provider = configure_tracing("rinnalla-test", "console")
assert configure_tracing("another", "none") is provider  # the first configuration stays
with trace.get_tracer("t").start_as_current_span("work"):
    pass
provider.shutdown()
"""


def test_the_console_exporter_prints_one_json_line_per_span() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CONSOLE_TRACING], capture_output=True, text=True, check=True, timeout=60
    )
    (line,) = [line for line in result.stdout.splitlines() if line.strip()]
    span = json.loads(line)
    assert span["name"] == "work"
    assert span["resource"]["attributes"]["service.name"] == "rinnalla-test"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    yield stream
    reset_logging()


def test_library_logs_share_the_json_shape(log_stream: io.StringIO) -> None:
    logging.getLogger("some.library").warning("disk %s is %d%% full", "/data", 91)
    logging.getLogger("some.library").debug("below the level")
    get_logger("rinnalla.test").info("event.applied", position=7)

    library, ours = (json.loads(line) for line in log_stream.getvalue().splitlines())
    assert library["event"] == "disk /data is 91% full"
    assert library["level"] == "warning"
    assert library["logger"] == "some.library"
    assert ours["event"] == "event.applied"
    assert ours["position"] == 7
    assert "timestamp" in ours


def test_configuring_twice_does_not_duplicate_lines(log_stream: io.StringIO) -> None:
    configure_logging("info", "json", stream=log_stream)
    get_logger("rinnalla.test").info("once")
    assert len(log_stream.getvalue().splitlines()) == 1


async def test_several_servers_in_one_process_log_their_start_once_each_by_name(log_stream: io.StringIO) -> None:
    import asyncio

    from fastapi import FastAPI
    from rinnalla_runtime.serving import bind_socket, serve_app

    stop = asyncio.Event()
    started = [asyncio.Event(), asyncio.Event()]
    apps = [FastAPI(title="Rinnalla one"), FastAPI(title="Rinnalla two")]
    servers = [
        asyncio.create_task(serve_app(app, bind_socket("127.0.0.1", 0), stop, grace_seconds=1, started=ready))
        for app, ready in zip(apps, started, strict=True)
    ]
    for ready in started:
        await ready.wait()
    stop.set()
    await asyncio.gather(*servers)

    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert not [line for line in lines if line["logger"].startswith("uvicorn")], "uvicorn's nameless lines"
    starts = sorted(line["app"] for line in lines if line["event"] == "server.started")
    stops = sorted(line["app"] for line in lines if line["event"] == "server.stopped")
    assert starts == stops == ["Rinnalla one", "Rinnalla two"]
    assert all(line["address"].startswith("127.0.0.1:") for line in lines if line["event"] == "server.started")


def test_exported_log_records_carry_the_trace_and_span_ids_and_stdout_keeps_one_line(
    log_stream: io.StringIO,
) -> None:
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
    from rinnalla_runtime.telemetry import configure_log_export

    exported = InMemoryLogRecordExporter()
    provider = configure_log_export("rinnalla-test", "none", extra_exporters=[exported])
    assert provider is not None
    try:
        with TracerProvider().get_tracer("test").start_as_current_span("request") as span:
            get_logger("rinnalla.test").info("child.enrolled", team="team-1")
        provider.force_flush()
    finally:
        assert configure_log_export("rinnalla-test", "none") is None  # removes the handler again
        provider.shutdown()

    (record,) = [r.log_record for r in exported.get_finished_logs()]
    context = span.get_span_context()
    assert (record.trace_id, record.span_id) == (context.trace_id, context.span_id)
    body = json.loads(str(record.body))
    assert body["event"] == "child.enrolled"
    assert body["trace_id"] == format(context.trace_id, "032x")
    (line,) = log_stream.getvalue().splitlines()
    assert json.loads(line)["event"] == "child.enrolled"


def test_log_export_needs_no_exporter_unless_otlp() -> None:
    from rinnalla_runtime.telemetry import configure_log_export

    assert configure_log_export("rinnalla-test", "console") is None
    assert configure_log_export("rinnalla-test", "none") is None
