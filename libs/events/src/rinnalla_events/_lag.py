"""How far each projection is behind its source streams: stream's last sequence minus checkpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rinnalla_events._connections import ConnectionSource
from rinnalla_events._generations import active_generation, checkpoints
from rinnalla_events._projection import Projection
from rinnalla_events._projection_metrics import ProjectionMetrics
from rinnalla_events._readers import stream_last_seq
from rinnalla_events._subjects import Subjects


async def projection_lag(
    projections: Sequence[Projection],
    *,
    connections: ConnectionSource,
    schema: str,
    js: Any,
    subjects: Subjects,
    metrics: ProjectionMetrics | None = None,
) -> dict[str, int]:
    """Events not yet applied to each projection's active generation, summed over its sources.

    A projection with no active generation yet counts every event of its streams. Sets the
    `rinnalla_projection_lag_events` gauge (per projection and stream) when `metrics` is given.
    """
    lags: dict[str, int] = {}
    async with connections.acquire() as conn:
        installed = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.projection_generations")
        for projection in projections:
            active = await active_generation(conn, schema, projection.name) if installed else None
            seqs = {} if active is None else await checkpoints(conn, schema, projection.name, active.generation)
            total = 0
            for service in projection.sources:
                stream = subjects.stream_name(service)
                behind = max(0, await stream_last_seq(js, stream) - seqs.get(stream, 0))
                if metrics is not None:
                    metrics.lag.labels(metrics.service, projection.name, stream).set(behind)
                total += behind
            lags[projection.name] = total
    return lags
