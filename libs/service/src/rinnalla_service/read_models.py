"""A service's read models on the shared projection framework: first generation, runners, rebuilds, lag.

The framework's tables live in the event store's schema, the stable views in the service's read schema,
and the runners and rebuilds read the service's JetStream stream, which the relay fills from the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rinnalla_events import (
    ConnectionSource,
    EventCodec,
    ProgressCallback,
    Projection,
    ProjectionRunner,
    RebuildResult,
    Subjects,
    active_generation,
    create_generation,
    install_projections,
    lock_projection_ddl,
    projection_lag,
    rebuild,
)

AfterInstall = Callable[[Any], Awaitable[None]]
"""Runs on a connection once the read models exist (dashboard views over the stable views, grants)."""


class UnknownReadModel(LookupError):
    pass


async def install_read_models(
    conn: Any, schema: str, read_schema: str, projections: Sequence[Projection], after: AfterInstall | None = None
) -> None:
    """The framework's tables, a first (empty) generation of each projection with its stable views, then
    `after`. Idempotent and safe to run concurrently.

    The first generation is created here, at migration, not by the worker, so the API's views exist from the
    first deployment on; the runner adds its source streams' checkpoints when it starts.
    """
    await install_projections(conn, schema, read_schema)
    for projection in projections:
        async with conn.transaction():
            await lock_projection_ddl(conn, schema, projection.name)
            if await active_generation(conn, schema, projection.name) is None:
                await create_generation(conn, schema, read_schema, projection, [], activate=True)
    if after is not None:
        await after(conn)


@dataclass
class ReadModels:
    """The service's projections and what the worker and the CLI do with them."""

    service: str
    connections: ConnectionSource
    schema: str
    read_schema: str
    codec: EventCodec
    subjects: Subjects
    projections: tuple[Projection, ...]

    def named(self, name: str) -> Projection:
        for projection in self.projections:
            if projection.name == name:
                return projection
        known = ", ".join(repr(p.name) for p in self.projections) or "none"
        raise UnknownReadModel(f"the {self.service} service has no projection {name!r} (it has {known})")

    def _wiring(self, js: Any) -> dict[str, Any]:
        """Where a runner or a rebuild reads from and writes to."""
        return {
            "connections": self.connections,
            "schema": self.schema,
            "read_schema": self.read_schema,
            "codec": self.codec,
            "js": js,
            "subjects": self.subjects,
        }

    def runner(self, projection: Projection, js: Any, **options: Any) -> ProjectionRunner:
        return ProjectionRunner(projection, **self._wiring(js), **options)

    async def rebuild(
        self, name: str, js: Any, on_progress: ProgressCallback | None = None, **options: Any
    ) -> RebuildResult:
        """Blue/green: the old generation serves until the new one has caught up, then the views switch.
        The switch replaces the stable views in place, so views over them and their grants stay."""
        return await rebuild(self.named(name), **self._wiring(js), on_progress=on_progress, **options)

    async def lag(self, js: Any) -> dict[str, int]:
        """Events in the JetStream stream that each projection has not applied yet."""
        if not self.projections:
            return {}
        return await projection_lag(
            self.projections, connections=self.connections, schema=self.schema, js=js, subjects=self.subjects
        )
