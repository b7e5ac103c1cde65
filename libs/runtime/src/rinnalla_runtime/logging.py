"""Structured logs: one JSON object per line on stdout, with the trace id, span id and request id.

Our own code logs through structlog; libraries that use the standard `logging` module (uvicorn, alembic,
asyncpg, nats) are rendered by the same processors, so every line on stdout has the same shape.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from rinnalla_runtime.settings import LogFormat, LogLevel

_HANDLER_NAME = "rinnalla"


def add_trace_context(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """The current OpenTelemetry span's ids, in the hex form every tracing backend searches by."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


# uvicorn's lifecycle lines name neither the app nor the address, and a process serving several apps (the
# dev stack: every API and every worker's /metrics) printed each of them once per server. `serve_app` logs
# one `server.started` / `server.stopped` line per server instead, with the app and the address.
UVICORN_LIFECYCLE = (
    "Started server process",
    "Waiting for application startup",
    "Application startup complete",
    "Shutting down",
    "Waiting for application shutdown",
    "Application shutdown complete",
    "Finished server process",
    "Uvicorn running on",
)


class _WithoutUvicornLifecycle(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(UVICORN_LIFECYCLE))


_LIFECYCLE_FILTER = _WithoutUvicornLifecycle()


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,  # request_id and anything else bound for this request
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_context,
        structlog.processors.StackInfoRenderer(),
    ]


def _renderer(fmt: LogFormat) -> Processor:
    if fmt == "console":
        return structlog.dev.ConsoleRenderer(colors=False)
    return structlog.processors.JSONRenderer()


def line_formatter(fmt: LogFormat = "json") -> logging.Formatter:
    """Renders a record of structlog or of the standard library as one line (JSON or console)."""
    exceptions: Processor = (
        structlog.processors.dict_tracebacks if fmt == "json" else structlog.processors.format_exc_info
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, exceptions, _renderer(fmt)],
    )


def configure_logging(level: LogLevel = "info", fmt: LogFormat = "json", *, stream: IO[str] | None = None) -> None:
    """Route structlog and the standard library's loggers to `stream` (stdout by default).

    Calling it again replaces the earlier configuration instead of adding a second handler.
    """
    out = stream if stream is not None else sys.stdout
    numeric_level = logging.getLevelNamesMapping()[level.upper()]

    formatter = line_formatter(fmt)
    handler = logging.StreamHandler(out)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # uvicorn's own access log would duplicate ours (the request middleware logs every request)
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    uvicorn_error = logging.getLogger("uvicorn.error")
    if _LIFECYCLE_FILTER not in uvicorn_error.filters:
        uvicorn_error.addFilter(_LIFECYCLE_FILTER)

    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        context_class=dict,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str, **initial: Any) -> Any:
    """A structlog logger named like a module (`rinnalla_runtime.app`), with optional bound values."""
    return structlog.get_logger(name, **initial)


def reset_logging() -> None:
    """Undo `configure_logging` (tests use it to leave no handler on a stream they are about to close)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    structlog.reset_defaults()
