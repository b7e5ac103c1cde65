"""The skeleton: from a `ServiceDefinition` to the API process, the worker process and the operations
the CLI runs on a service (its `ServiceSpec`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import Any, Generic
from uuid import UUID

import asyncpg
from fastapi import FastAPI, Request
from nats.js import JetStreamContext
from rinnalla_events import EventTooLarge, KeyStore, ProjectionMetrics, Subjects, ensure_stream, nats_connector
from rinnalla_runtime.app import create_service_app, create_worker_metrics_app, keep_request_context_outermost
from rinnalla_runtime.migrations import upgrade_database
from rinnalla_runtime.nats_options import nats_connect_options
from rinnalla_runtime.readiness import server_checks
from rinnalla_runtime.service import ProgressCallback, ServiceSpec, UnknownProjection
from rinnalla_runtime.serving import bind_socket, serve_app
from rinnalla_runtime.settings import RuntimeSettings, ServersNotConfigured
from rinnalla_runtime.worker import EXIT_OK, StoppableTask, run_until_stopped
from rinnalla_security import (
    AnchorSet,
    AuditLog,
    AuthSettings,
    LogName,
    audit_install_sql,
    chain_report_view,
    install_security,
)
from rinnalla_security.responses import error_response
from starlette.responses import Response

from rinnalla_service.alerts import AlertGauges
from rinnalla_service.definition import Context, ServiceDefinition
from rinnalla_service.migrations import drop_relay_trigger
from rinnalla_service.read_models import UnknownReadModel, install_read_models
from rinnalla_service.runtime import ServiceRuntime, utc_now


class WorkerFailed(RuntimeError):
    pass


class Service(Generic[Context]):
    """One service assembled from its definition. Every hook takes the settings the caller resolved."""

    def __init__(self, definition: ServiceDefinition[Context]) -> None:
        self.definition = definition

    # --- composition -------------------------------------------------------------------------------

    def build(
        self,
        settings: RuntimeSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        audit_log: AuditLog | None = None,
        key_store: KeyStore | None = None,
        subjects: Subjects | None = None,
    ) -> Context:
        """The service's context on a new runtime (pool not yet open). Tests replace the adapters here."""
        runtime = ServiceRuntime.build(
            self.definition.core, settings, clock=clock, audit_log=audit_log, key_store=key_store, subjects=subjects
        )
        return self.definition.context(runtime)

    @asynccontextmanager
    async def open(self, settings: RuntimeSettings, **overrides: Any) -> AsyncIterator[Context]:
        """The context with its pool open, closed on leaving the block."""
        context = self.build(settings, **overrides)
        await context.runtime.start()
        try:
            yield context
        finally:
            await context.runtime.close()

    # --- the API process ---------------------------------------------------------------------------

    def create_app(
        self, settings: RuntimeSettings, *, context: Context | None = None, auth: AuthSettings | None = None
    ) -> FastAPI:
        """The API. With `context` given (tests), the caller owns its pool; otherwise the app opens its own
        in its lifespan and closes it on shutdown."""
        definition = self.definition
        service = context if context is not None else self.build(settings)

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            await service.runtime.start()
            try:
                yield
            finally:
                if context is None:
                    await service.runtime.close()

        app = create_service_app(
            definition.name,
            settings,
            routers=list(definition.routers()),
            readiness_checks=server_checks(settings),
            description=definition.description,
            lifespan=lifespan,
            metrics_registry=service.runtime.metrics_registry,
        )
        app.state.service = service
        app.state.metrics_refreshers.append(AlertGauges(service.runtime, app.state.metrics.registry).refresh)
        app.add_exception_handler(EventTooLarge, _event_too_large)
        install_security(
            app,
            service=definition.name,
            settings=auth or definition.auth_settings(),
            audit_log=service.runtime.audit_log,
            max_body_bytes=settings.max_request_body_bytes,
            chain_anchors=service.runtime.chain_anchors(),
        )
        if definition.install_app is not None:
            definition.install_app(app)
        keep_request_context_outermost(app)
        return app

    # --- migrations --------------------------------------------------------------------------------

    async def migrate(self, settings: RuntimeSettings) -> None:
        """The Alembic revisions, then the read models' first generation and what the service puts over them."""
        definition = self.definition
        dsn = settings.require_database_dsn()
        await upgrade_database(definition.migrations, dsn, version_table_schema=definition.core.schema)
        core = definition.core
        projections = core.projections()
        conn = await asyncpg.connect(dsn)
        try:
            # The audit tables are shared by every service and belong to no service's revisions: brought up
            # to date on every migration (or, in a deployment, checked: 30-audit.sql installs them).
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rinnalla.ddl'))")
                await conn.execute(audit_install_sql())
                # the store wakes the relay after commit; a trigger would serialise appends (ADR 0007)
                await conn.execute(drop_relay_trigger(core.schema))
            if projections or definition.after_read_models is not None:
                await install_read_models(
                    conn, core.schema, core.stable_read_schema, projections, definition.after_read_models
                )
        finally:
            await conn.close()

    # --- the worker process ------------------------------------------------------------------------

    async def run_worker(self, settings: RuntimeSettings, stop: asyncio.Event) -> None:
        """Until `stop` is set: the relay publishes the event store to JetStream, one runner per read model
        applies the stream to it, and the service's jobs run. If one task fails, the others stop too and the
        error is raised."""
        async with self.open(settings) as context, _jetstream(context.runtime) as js:
            runtime = context.runtime
            await ensure_stream(js, runtime.subjects, runtime.name, replicas=settings.nats_stream_replicas)
            relay = runtime.relay(
                nats_connector(
                    settings.require_nats_url(),
                    name=f"rinnalla-{runtime.name}-relay",
                    options=nats_connect_options(settings, runtime.name),
                )
            )
            tasks: dict[str, StoppableTask] = {"relay": relay.run}
            metrics = ProjectionMetrics.create(runtime.metrics_registry, service=runtime.name)
            for projection in runtime.read_models.projections:
                metrics.start(projection.name)
                runner = runtime.read_models.runner(projection, js, metrics=metrics)
                tasks[f"projection:{projection.name}"] = runner.run
            address = settings.worker_metrics_address(runtime.name)
            if address is not None:
                app = create_worker_metrics_app(runtime.name, runtime.metrics_registry)
                sock = bind_socket(*address)
                tasks["metrics"] = partial(
                    serve_app, app, sock, grace_seconds=min(1.0, settings.shutdown_grace_seconds)
                )
            publisher = runtime.checkpoint_publisher()
            if publisher is not None:
                interval = settings.audit_checkpoint_seconds
                tasks["audit-checkpoints"] = partial(publisher.run, js, interval_seconds=interval)
            tasks.update(self.definition.jobs(context))
            own_stop = asyncio.Event()  # a failing task stops its siblings, not whoever passed `stop`
            tasks["stop"] = lambda own: _forward(stop, own)
            code = await run_until_stopped(
                tasks, stop=own_stop, grace_seconds=settings.shutdown_grace_seconds, handle_signals=False
            )
        if code != EXIT_OK:
            raise WorkerFailed(f"a task of the {self.definition.name} worker failed (see the log); the others stopped")

    # --- operations --------------------------------------------------------------------------------

    async def rebuild_projection(self, settings: RuntimeSettings, name: str, on_progress: ProgressCallback) -> None:
        """Blue/green: readers keep the current generation until the new one has caught up with the stream."""
        async with self.open(settings) as context, _jetstream(context.runtime) as js:
            read_models = context.runtime.read_models
            try:
                projection = read_models.named(name)
            except UnknownReadModel as exc:
                raise UnknownProjection(str(exc)) from None
            await read_models.rebuild(projection.name, js, on_progress)

    async def projection_lag(self, settings: RuntimeSettings) -> Mapping[str, int]:
        """Per read model: events committed to the store that it has not applied yet."""
        if not self.definition.core.projections():
            return {}
        async with self.open(settings) as context, _jetstream(context.runtime) as js:
            return await context.runtime.projection_lag(js)

    async def audit_checkpoint(self, settings: RuntimeSettings) -> list[dict[str, Any]]:
        """Publish a signed checkpoint of each audit chain's head now (`rinnalla audit checkpoint`)."""
        async with self.open(settings) as context, _jetstream(context.runtime) as js:
            publisher = context.runtime.checkpoint_publisher()
            if publisher is None:
                raise ServersNotConfigured("RINNALLA_MASTER_KEY is not set: no key to sign audit checkpoints with")
            published = await publisher.publish(js, force=True)
        return [
            {"log": c.log, "seq": c.seq, "row_hash": c.row_hash, "service": c.service,
             "signed_at": c.signed_at.isoformat()}
            for c in published
        ]  # fmt: skip

    async def audit_verify(self, settings: RuntimeSettings) -> list[dict[str, Any]]:
        """Both audit chains, row by row and against every checkpoint (`rinnalla audit verify`)."""
        async with self.open(settings) as context:
            runtime = context.runtime
            source = runtime.chain_anchors()
            anchors = await source.anchors() if source is not None else AnchorSet(available=False)
            logs: tuple[LogName, ...] = ("access", "disclosure")
            return [
                chain_report_view(
                    await runtime.audit_log.verify(name, anchors=anchors.for_log(name)), anchors
                ).model_dump()
                for name in logs
            ]

    async def load_demo_data(self, settings: RuntimeSettings) -> None:
        """Writes the demo data set; the worker projects it."""
        if self.definition.demo_data is None:
            return
        async with self.open(settings) as context:
            await self.definition.demo_data(context)

    async def publish_placeholder(self, settings: RuntimeSettings, event_id: UUID) -> int:
        """Publish an `EventTooLargeForBus` placeholder in place of the event the relay is stopped at."""
        async with self.open(settings) as context:
            return await context.runtime.publish_placeholder(event_id)

    def spec(self) -> ServiceSpec:
        definition = self.definition
        return ServiceSpec(
            name=definition.name,
            default_port=definition.default_port,
            create_app=self.create_app,
            run_worker=self.run_worker,
            migrate=self.migrate,
            load_demo_data=self.load_demo_data,
            rebuild_projection=self.rebuild_projection,
            projection_lag=self.projection_lag,
            publish_placeholder=self.publish_placeholder,
            projection_names=tuple(projection.name for projection in definition.core.projections()),
            event_classes=tuple(definition.published_events),
            consumed_events=tuple(definition.core.consumed()),
            subject_kinds=definition.core.subject_kinds,
            description=definition.summary,
            audit_verify=self.audit_verify,
            audit_checkpoint=self.audit_checkpoint,
        )


async def _event_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EventTooLarge)
    reason = (
        f"the change would be recorded as a {exc.event_type} event of {exc.size:,} bytes; the event bus carries "
        f"at most {exc.limit:,}. Nothing was recorded: send fewer or shorter values"
    )
    return error_response(
        413, "event_too_large", reason, scope=request.scope,
        errors=[{"field": "body", "reason": reason, "type": "event_too_large"}],
    )


def service_spec(definition: ServiceDefinition[Any]) -> ServiceSpec:
    """The `ServiceSpec` a service's `rinnalla.services` entry point returns."""
    return Service(definition).spec()


async def _forward(outer: asyncio.Event, inner: asyncio.Event) -> None:
    waiters = [asyncio.create_task(outer.wait()), asyncio.create_task(inner.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    inner.set()


@asynccontextmanager
async def _jetstream(runtime: ServiceRuntime) -> AsyncIterator[JetStreamContext]:
    client = await runtime.connect_nats()
    try:
        yield client.jetstream()
    finally:
        await client.close()
