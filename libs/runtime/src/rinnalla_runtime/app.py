"""The FastAPI skeleton every service API shares.

- `/healthz`: the process is alive (never touches a dependency, so a slow database does not get the
  process killed by its orchestrator).
- `/readyz`: 200 when every readiness check passes within the timeout, 503 otherwise.
- `/metrics`: Prometheus text from the app's own registry (`app.state.metrics.registry`); each scrape runs
  the readiness checks too (`rinnalla_readiness_check`).
- `/openapi.json` and `/docs` (Swagger UI with its assets served here, not from a CDN); the service's
  routers under `/v1`.
- Every request: a server-made X-Request-ID (a caller's own echoed as X-Client-Request-ID), W3C trace context
  continued in a server span (FastAPI's own OpenTelemetry support), one access-log line, request metrics, and
  a body size limit.

Readiness checks live in `app.state.readiness_checks` (a dict), so a lifespan that opens a connection
can add the check for it once the connection exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.process_collector import ProcessCollector
from pydantic import BaseModel
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from rinnalla_runtime.docs import install_docs
from rinnalla_runtime.logging import get_logger
from rinnalla_runtime.metrics import HttpMetrics
from rinnalla_runtime.readiness import ReadinessCheck, run_readiness_checks
from rinnalla_runtime.request_context import PROBE_PATHS, RequestContextMiddleware
from rinnalla_runtime.settings import RuntimeSettings

API_PREFIX = "/v1"
OPENAPI_PATH = "/openapi.json"

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def _is_probe(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in PROBE_PATHS


class Health(BaseModel):
    status: str
    service: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


def create_service_app(
    name: str,
    settings: RuntimeSettings,
    routers: Sequence[APIRouter] = (),
    readiness_checks: Mapping[str, ReadinessCheck] | None = None,
    *,
    version: str = "0.1.0",
    description: str = "",
    lifespan: Lifespan | None = None,
    tracer_provider: trace.TracerProvider | None = None,
    metrics_registry: CollectorRegistry | None = None,
) -> FastAPI:
    """A FastAPI app with the shared operational endpoints and middleware, and `routers` under /v1."""
    app = FastAPI(
        title=f"Rinnalla {name}",
        version=version,
        description=description,
        lifespan=lifespan,
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # FastAPI's own loads Swagger UI from a CDN; install_docs serves it locally
        redoc_url=None,
        # FastAPI's own OpenTelemetry support opens the server span, continuing the caller's W3C trace.
        # Its metrics and logs stay off (Prometheus and structlog do those); so do per-operation spans,
        # which would triple the spans of every request, and spans for the probes polled every few seconds.
        telemetry={
            "tracer_provider": tracer_provider,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "exclude": _is_probe,
        },
    )
    metrics = HttpMetrics.create(metrics_registry, service=name)
    app.state.service_name = name
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.readiness_checks = dict(readiness_checks or {})
    # Read just before each scrape (e.g. gauges counted in the database); a failing one leaves its gauges as
    # they were and the scrape goes on.
    app.state.metrics_refreshers = []

    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    install_docs(app, openapi_url=OPENAPI_PATH)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> Health:
        return Health(status="alive", service=name)

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="PostgreSQL, NATS and the other dependencies answer",
        responses={503: {"model": Readiness, "description": "a dependency does not answer"}},
    )
    async def readyz() -> JSONResponse:
        ready, results = await run_readiness_checks(app.state.readiness_checks, settings.readiness_timeout_seconds)
        metrics.record_readiness(results)
        body = Readiness(status="ready" if ready else "not ready", checks=results)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        for refresh in app.state.metrics_refreshers:
            try:
                await refresh()
            except Exception as exc:
                get_logger("rinnalla_runtime.metrics", service=name).warning("metrics.refresh_failed", error=repr(exc))
        # readiness as Prometheus sees it: the same checks as /readyz, at every scrape
        _ready, results = await run_readiness_checks(app.state.readiness_checks, settings.readiness_timeout_seconds)
        metrics.record_readiness(results)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_request_body_bytes)
    # added last, so outermost: the body-limit 413 and every error response still carry the request id
    app.add_middleware(
        RequestContextMiddleware,
        metrics=metrics,
        logger=get_logger("rinnalla_runtime.http", service=name),
    )
    return app


def keep_request_context_outermost(app: FastAPI) -> None:
    """Move the request middleware (metrics, access log, request id) outside middleware added after it, so
    that the answers those give (401 and 403 of the security layer, 413, 503) are counted and logged too."""
    entries = [m for m in app.user_middleware if getattr(m, "cls", None) is RequestContextMiddleware]
    for entry in entries:
        app.user_middleware.remove(entry)
    app.user_middleware[0:0] = entries


def create_worker_metrics_app(name: str, registry: CollectorRegistry) -> FastAPI:
    """What a worker process serves: `/metrics` (relay, projections, rebuilds, redeliveries) and `/healthz`."""
    ProcessCollector(registry=registry)
    app = FastAPI(title=f"Rinnalla {name} worker", openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Health:
        return Health(status="alive", service=name)

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
