"""JetStream publishes whose acknowledgements are awaited later, with a bound on how many are outstanding.

nats-py's own `publish_async` has this shape, but an error reply (wrong expected sequence, stream gone,
storage full) leaves its future pending forever instead of failing it (nats-io/nats.py issue #985). The
relay depends on such errors arriving promptly, so this small publisher keeps its own reply inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.errors import APIError, NoStreamResponseError

_NO_RESPONDERS = "503"


class PipelinedPublisher:
    def __init__(self, nc: Client, *, max_in_flight: int, stall_timeout: float) -> None:
        self._nc = nc
        self._slots = asyncio.Semaphore(max_in_flight)
        self._stall_timeout = stall_timeout
        self._futures: dict[str, asyncio.Future[int]] = {}
        self._prefix = ""
        self._next_token = 0
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._prefix = self._nc.new_inbox()
        self._subscription = await self._nc.subscribe(f"{self._prefix}.*", cb=self._on_reply)

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> asyncio.Future[int]:
        """Send one message; the returned future resolves to its stream sequence or fails with the server's error.

        Waits for a free slot first; raises TimeoutError if none frees up within the stall timeout.
        """
        if self._subscription is None:
            raise RuntimeError("PipelinedPublisher.start() was not called")
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that arrives
        # just as the awaited thing completes, and a cancelled relay must stop
        if self._slots.locked():
            async with asyncio.timeout(self._stall_timeout):
                await self._slots.acquire()
        else:
            await self._slots.acquire()  # a free slot: returns at once; a timer per message costs 15% here
        self._next_token += 1
        token = str(self._next_token)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda done: self._release(token, done))
        self._futures[token] = future
        try:
            await self._nc.publish(subject, payload, reply=f"{self._prefix}.{token}", headers=headers)
        except BaseException:
            future.cancel()
            raise
        return future

    def _release(self, token: str, done: asyncio.Future[int]) -> None:
        self._futures.pop(token, None)
        self._slots.release()
        if not done.cancelled():
            done.exception()  # mark it seen: a batch reports its first error, the rest need not be logged

    async def _on_reply(self, msg: Msg) -> None:
        future = self._futures.get(msg.subject[len(self._prefix) + 1 :])
        if future is None or future.done():
            return  # an ack for a publish that was given up on
        if msg.headers and msg.headers.get("Status") == _NO_RESPONDERS:
            future.set_exception(NoStreamResponseError())
            return
        try:
            response = json.loads(msg.data)
            if "error" in response:
                APIError.from_error(response["error"])  # raises the matching APIError subclass
            future.set_result(int(response["seq"]))  # a PubAck per message costs more than the rest of the reply
        except Exception as exc:
            future.set_exception(exc)

    @property
    def in_flight(self) -> int:
        return len(self._futures)

    def cancel_all(self) -> None:
        """Give up on every outstanding publish (the relay re-reads the stream's tail before it retries)."""
        for future in list(self._futures.values()):
            future.cancel()

    async def close(self) -> None:
        self.cancel_all()
        if self._subscription is not None:
            with contextlib.suppress(Exception):  # the connection may already be closed
                await self._subscription.unsubscribe()
            self._subscription = None
