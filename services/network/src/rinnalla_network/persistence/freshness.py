"""Never a stale consent answer: before a referral decision, the network's projection of enrollment must
have applied everything enrollment has published to its JetStream stream up to that moment.

The check compares the projection's checkpoint (its active generation's last applied sequence of the
enrollment stream) with the stream's last sequence, and waits briefly while the runner catches up; if it
does not, the command is refused with 503 and Retry-After rather than decided on an old answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nats.js.errors import NotFoundError
from rinnalla_events import ConnectionSource, Subjects

from rinnalla_network.application.ports import RegisterBehind

NatsConnect = Callable[[], Awaitable[Any]]


class StreamFreshness:
    def __init__(
        self,
        connections: ConnectionSource,
        schema: str,
        projection: str,
        subjects: Subjects,
        source: str,
        connect: NatsConnect,
        *,
        wait_seconds: float = 5.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self.connections = connections
        self.schema = schema
        self.projection = projection
        self.stream = subjects.stream_name(source)
        self.connect = connect
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds

    async def applied(self) -> int:
        async with self.connections.acquire() as conn:
            value = await conn.fetchval(
                f"""SELECT c.last_seq FROM {self.schema}.projection_checkpoints c
                    JOIN {self.schema}.projection_generations g
                      ON g.projection = c.projection AND g.generation = c.generation AND g.state = 'active'
                    WHERE c.projection = $1 AND c.source = $2""",
                self.projection, self.stream,
            )
        return int(value or 0)

    async def published(self) -> int:
        client = await self.connect()
        try:
            try:
                info = await client.jetstream().stream_info(self.stream)
            except NotFoundError:
                return 0
            return int(info.state.last_seq)
        finally:
            await client.close()

    async def ensure_current(self) -> None:
        try:
            target = await self.published()
        except Exception as exc:  # NATS unreachable: the position cannot be known, so nothing is decided
            raise RegisterBehind(-1) from exc
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        while True:
            applied = await self.applied()
            if applied >= target:
                return
            if loop.time() >= deadline:
                raise RegisterBehind(target - applied)
            await asyncio.sleep(self.poll_seconds)
