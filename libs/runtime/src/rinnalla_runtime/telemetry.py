"""OpenTelemetry tracing: the tracer provider, and W3C trace context in and out of header dictionaries.

The same two helpers carry trace context through HTTP headers and through NATS message headers, so a
trace that starts at an API request continues in the projections and policies that react to its events.

Exporters: `none` still creates real spans (their ids go into the logs and onward to other services);
`console` prints finished spans as JSON lines; `otlp` loads the OTLP/HTTP exporter if the package
`opentelemetry-exporter-otlp-proto-http` is installed, configured by the standard `OTEL_EXPORTER_OTLP_*`
variables. With `otlp`, `configure_log_export` also sends every log line (the same JSON as on stdout) as an
OpenTelemetry log record carrying the current span's trace and span ids; stdout keeps every line, once.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterable, Mapping

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.context import Context
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from rinnalla_runtime.logging import line_formatter
from rinnalla_runtime.settings import OtelExporter

OTLP_EXPORTER_MODULE = "opentelemetry.exporter.otlp.proto.http.trace_exporter"
OTLP_LOG_EXPORTER_MODULE = "opentelemetry.exporter.otlp.proto.http._log_exporter"
LOG_HANDLER_NAME = "rinnalla-otel-logs"

# W3C only, whatever OTEL_PROPAGATORS says: every Rinnalla process must read what the others write.
_PROPAGATOR = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])


class _CaseInsensitiveGetter(Getter[Mapping[str, str]]):
    """HTTP header names are case-insensitive; NATS keeps whatever case the publisher used."""

    def get(self, carrier: Mapping[str, str], key: str) -> list[str] | None:
        wanted = key.lower()
        for name, value in carrier.items():
            if name.lower() == wanted:
                return [value]
        return None

    def keys(self, carrier: Mapping[str, str]) -> list[str]:
        return list(carrier.keys())


_GETTER = _CaseInsensitiveGetter()


def _single_line(span: ReadableSpan) -> str:
    return str(span.to_json(indent=None)) + os.linesep


def make_span_exporter(kind: OtelExporter) -> SpanExporter | None:
    if kind == "none":
        return None
    if kind == "console":
        return ConsoleSpanExporter(formatter=_single_line)
    try:
        module = importlib.import_module(OTLP_EXPORTER_MODULE)
    except ImportError as exc:
        raise RuntimeError(
            "RINNALLA_OTEL_EXPORTER=otlp needs the package opentelemetry-exporter-otlp-proto-http; "
            "install it next to Rinnalla or choose 'console' or 'none'"
        ) from exc
    exporter: SpanExporter = module.OTLPSpanExporter()
    return exporter


def configure_tracing(
    service_name: str, exporter: OtelExporter = "none", *, extra_exporters: Iterable[SpanExporter] = ()
) -> TracerProvider:
    """Install the process-wide tracer provider (once per process; later calls return the first one)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    chosen = make_span_exporter(exporter)
    for span_exporter in [*([chosen] if chosen else []), *extra_exporters]:
        provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)
    propagate.set_global_textmap(_PROPAGATOR)  # what FastAPI's server spans extract with
    return provider


def inject_trace_context(carrier: dict[str, str] | None = None, context: Context | None = None) -> dict[str, str]:
    """Write `traceparent` (and `tracestate`, `baggage` when present) of the current span into `carrier`."""
    headers = carrier if carrier is not None else {}
    _PROPAGATOR.inject(headers, context=context)
    return headers


def extract_trace_context(headers: Mapping[str, str] | None) -> Context:
    """The remote parent described by `traceparent`/`tracestate` headers (an empty context if absent)."""
    return _PROPAGATOR.extract(headers or {}, getter=_GETTER)


def current_trace_headers() -> tuple[str | None, str | None]:
    """(`traceparent`, `tracestate`) of the current span, as an event's metadata stores them."""
    headers = inject_trace_context()
    return headers.get("traceparent"), headers.get("tracestate")


_SEVERITY = {
    logging.DEBUG: SeverityNumber.DEBUG,
    logging.INFO: SeverityNumber.INFO,
    logging.WARNING: SeverityNumber.WARN,
    logging.ERROR: SeverityNumber.ERROR,
    logging.CRITICAL: SeverityNumber.FATAL,
}


class OtelLogHandler(logging.Handler):
    """Sends each log record, rendered as the JSON line stdout shows, to an OpenTelemetry logger provider; the
    record carries the span current when it was logged (its trace and span ids)."""

    def __init__(self, provider: LoggerProvider) -> None:
        super().__init__()
        self.provider = provider
        self.set_name(LOG_HANDLER_NAME)
        self.setFormatter(line_formatter("json"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.provider.get_logger(record.name).emit(
                timestamp=int(record.created * 1e9),
                context=otel_context.get_current(),
                severity_number=_SEVERITY.get(record.levelno, SeverityNumber.UNSPECIFIED),
                severity_text=record.levelname,
                body=self.format(record),
                attributes={"logger.name": record.name},
            )
        except Exception:
            self.handleError(record)


def make_log_exporter(kind: OtelExporter) -> LogRecordExporter | None:
    """OTLP only: with `console` the lines are on stdout already, and `none` sends nowhere."""
    if kind != "otlp":
        return None
    try:
        module = importlib.import_module(OTLP_LOG_EXPORTER_MODULE)
    except ImportError as exc:
        raise RuntimeError(
            "RINNALLA_OTEL_EXPORTER=otlp needs the package opentelemetry-exporter-otlp-proto-http; "
            "install it next to Rinnalla or choose 'console' or 'none'"
        ) from exc
    exporter: LogRecordExporter = module.OTLPLogExporter()
    return exporter


def configure_log_export(
    service_name: str, exporter: OtelExporter = "none", *, extra_exporters: Iterable[LogRecordExporter] = ()
) -> LoggerProvider | None:
    """Send the process's log lines to the OTLP endpoint too (None when there is nowhere to send them).
    Calling it again replaces the earlier handler."""
    exporters = [e for e in [make_log_exporter(exporter), *extra_exporters] if e is not None]
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == LOG_HANDLER_NAME]:
        root.removeHandler(old)
    if not exporters:
        return None
    provider = LoggerProvider(resource=Resource.create({"service.name": service_name}))
    for log_exporter in exporters:
        provider.add_log_record_processor(BatchLogRecordProcessor(log_exporter))
    root.addHandler(OtelLogHandler(provider))
    return provider
