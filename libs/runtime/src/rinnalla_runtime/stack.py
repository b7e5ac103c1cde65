"""The whole system on one machine with one command: servers, migrations, demo data, APIs and workers.

Every service's API and worker run in this one process, each API on its own uvicorn server in the same
event loop, rather than one subprocess each. For a developer's stack that is the better trade: one
Ctrl-C stops everything and no child can be orphaned, startup takes a second rather than an import per
process, and one log stream shows the whole story. Isolation between services (separate processes,
resources and failure domains) is what production deployment gives; deploy/compose.yaml runs each API
and each worker as its own process with `rinnalla run api|worker SERVICE`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rinnalla_runtime.logging import get_logger
from rinnalla_runtime.servers import provide_servers
from rinnalla_runtime.service import ENTRY_POINT_GROUP, ServiceSpec, StoppableWorker, discover_services
from rinnalla_runtime.serving import bind_socket, serve_app
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.worker import StoppableTask, run_until_stopped, stop_on_signals

EXIT_FORCED = 130  # like a shell's exit code after Ctrl-C
WORKER_PORT_OFFSET = 100


@dataclass(frozen=True)
class ServiceEndpoint:
    name: str
    base_url: str
    worker_metrics_url: str | None = None

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def docs_url(self) -> str:
        return f"{self.base_url}/docs"

    @property
    def openapi_url(self) -> str:
        return f"{self.base_url}/openapi.json"

    @property
    def health_url(self) -> str:
        return f"{self.base_url}/readyz"


@dataclass(frozen=True)
class StackInfo:
    settings: RuntimeSettings
    """With the server URLs and master key resolved."""
    services: tuple[ServiceEndpoint, ...]


def redact_url(url: str | None) -> str:
    """A URL fit for a terminal or a log: the password replaced by ***."""
    if not url:
        return "(not set)"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (display only)


def format_banner(info: StackInfo) -> str:
    settings = info.settings
    lines = [
        f"Rinnalla is running. Data directory: {settings.data_dir}",
        f"  PostgreSQL  {redact_url(settings.database_url)}",
        f"  NATS        {redact_url(settings.nats_url)}",
        "",
    ]
    if not info.services:
        lines.append("  No services are installed (no entry points in the 'rinnalla.services' group).")
    for endpoint in info.services:
        lines += [
            f"  {endpoint.name}",
            f"    API      {endpoint.api_url}",
            f"    docs     {endpoint.docs_url}   (OpenAPI: {endpoint.openapi_url})",
            f"    health   {endpoint.health_url}",
        ]
        if endpoint.worker_metrics_url:
            lines.append(f"    metrics  {endpoint.base_url}/metrics   (worker: {endpoint.worker_metrics_url})")
    lines += [
        "",
        "Mint a token for a demo user:  python3 dev.py run rinnalla token mint --user <user>",
        "List the demo users:           python3 dev.py run rinnalla token users",
        "Stop with Ctrl-C.",
    ]
    return "\n".join(lines)


def _print_banner(info: StackInfo) -> None:
    print(format_banner(info), flush=True)


async def run_stack(
    settings: RuntimeSettings,
    specs: Sequence[ServiceSpec] | None = None,
    *,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[StackInfo], None] = _print_banner,
    handle_signals: bool = True,
) -> int:
    """Start servers (embedded when DATABASE_URL / NATS_URL are unset), migrate and load demo data for
    every service, then serve every API and run every worker until `stop` is set or SIGTERM/SIGINT.

    `specs` defaults to the services installed through the `rinnalla.services` entry points. Returns the
    exit code: 0 after a requested stop, 1 when a service failed, 130 when a second signal forced the stop.
    """
    log = get_logger("rinnalla_runtime.stack")
    stop_event = stop if stop is not None else asyncio.Event()
    services = list(specs) if specs is not None else discover_services()
    if not services:
        log.warning("stack.no_services", entry_point_group=ENTRY_POINT_GROUP)
    main_task = asyncio.current_task()
    forced = False

    def force_stop() -> None:
        nonlocal forced
        forced = True
        if main_task is not None:
            main_task.cancel()

    signals: contextlib.AbstractContextManager[None] = (
        stop_on_signals(stop_event, grace_seconds=settings.shutdown_grace_seconds, on_second_signal=force_stop)
        if handle_signals
        else contextlib.nullcontext()
    )
    # signals are handled from the very start: a SIGTERM while PostgreSQL starts must still stop it
    try:
        with signals:
            return await _run(services, settings, stop_event, on_ready, log)
    except asyncio.CancelledError:
        if not forced:
            raise
        log.warning("stack.forced_stop")  # the servers were still stopped on the way out
        return EXIT_FORCED


async def _run(
    services: Sequence[ServiceSpec],
    settings: RuntimeSettings,
    stop_event: asyncio.Event,
    on_ready: Callable[[StackInfo], None],
    log: Any,
) -> int:
    async with provide_servers(settings, generate_master_key=True) as resolved:
        for spec in services:
            if stop_event.is_set():
                return 0
            log.info("stack.migrating", service=spec.name)
            await spec.migrate(resolved)
            if resolved.demo_data:
                log.info("stack.loading_demo_data", service=spec.name)
                await spec.load_demo_data(resolved)
        if stop_event.is_set():
            return 0
        tasks, endpoints, started = _service_tasks(services, resolved)
        tasks["announce"] = functools.partial(_announce, started, StackInfo(resolved, endpoints), on_ready)
        return await run_until_stopped(
            tasks, stop=stop_event, grace_seconds=resolved.shutdown_grace_seconds, handle_signals=False
        )


def _service_tasks(
    services: Sequence[ServiceSpec], settings: RuntimeSettings
) -> tuple[dict[str, StoppableTask], tuple[ServiceEndpoint, ...], list[asyncio.Event]]:
    tasks: dict[str, StoppableTask] = {}
    endpoints: list[ServiceEndpoint] = []
    started: list[asyncio.Event] = []
    sockets: list[socket.socket] = []
    try:
        for spec in services:
            host, port = settings.service_address(spec.name, spec.default_port)
            try:
                sockets.append(bind_socket(host, port))
            except OSError as exc:
                raise OSError(
                    exc.errno, f"{exc.strerror}; set RINNALLA_{spec.name.upper()}_PORT to another port"
                ) from exc
            app = spec.create_app(settings)
            ready = asyncio.Event()
            started.append(ready)
            tasks[f"{spec.name}.api"] = functools.partial(
                serve_app, app, sockets[-1], grace_seconds=settings.shutdown_grace_seconds, started=ready
            )
            # one process runs every worker here: each serves its /metrics on its own port (API port + 100
            # unless RINNALLA_<SERVICE>_WORKER_PORT says otherwise)
            worker_settings = settings
            if settings.worker_metrics_address(spec.name) is None:
                worker_settings = settings.model_copy(update={"worker_metrics_port": port + WORKER_PORT_OFFSET})
            worker_address = worker_settings.worker_metrics_address(spec.name)
            worker_url = (
                f"http://{_display_host(worker_address[0])}:{worker_address[1]}/metrics" if worker_address else None
            )
            tasks[f"{spec.name}.worker"] = _worker_task(spec.run_worker, worker_settings)
            endpoints.append(
                ServiceEndpoint(
                    spec.name,
                    f"http://{_display_host(host)}:{port}",
                    worker_url,
                )
            )
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return tasks, tuple(endpoints), started


def _worker_task(run_worker: StoppableWorker, settings: RuntimeSettings) -> StoppableTask:
    async def run(stop: asyncio.Event) -> None:
        await run_worker(settings, stop)

    return run


async def _announce(
    started: list[asyncio.Event], info: StackInfo, on_ready: Callable[[StackInfo], None], stop: asyncio.Event
) -> None:
    async def all_started() -> None:
        for event in started:
            await event.wait()

    waiting = asyncio.create_task(all_started())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        stopping.cancel()
    if all(event.is_set() for event in started) and not stop.is_set():
        on_ready(info)
    # stays until the stop, so a stack with no services still keeps its servers up for development
    await stop.wait()
