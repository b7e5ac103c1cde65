"""Reading a service's JetStream stream: ordered consumers for replay, a durable pull consumer when live.

An ordered consumer is push-based, unacknowledged and flow-controlled: about five times faster than pull
fetches, so catch-up and rebuilds use it. It keeps no state on the server that matters to us: where to
resume is our own checkpoint in PostgreSQL.

The durable pull consumer serves live traffic, handing each event on as it arrives (see `DurableReader`).
It is recreated at our checkpoint each time a runner starts. That costs two API calls and removes a class
of nats-py / JetStream edge cases at once: a fetch that timed out or was cancelled in an earlier process
can leave a pull request waiting on the server; the next message would be delivered to that dead inbox
and stay unacknowledged until `ack_wait`, while later messages reach us. Deleting the consumer drops such
requests and all unacknowledged state, so within one runner session messages arrive in stream order and
nothing is delivered behind our back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from types import TracebackType
from typing import Any
from uuid import UUID

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError


async def stream_last_seq(js: Any, stream: str) -> int:
    """The sequence of the stream's newest message (0 if the stream is empty or does not exist yet)."""
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        return 0
    return int(info.state.last_seq)


async def stream_still_holds(js: Any, stream: str, seq: int, event_id: UUID | None) -> bool:
    """Whether message `seq` of `stream` is still the event we applied there.

    JetStream acknowledges before it syncs to disk, so a crashed server can come back without its last
    messages; the relay then republishes them, and new events, under sequences we may have passed.
    """
    if seq == 0:
        return True
    try:
        msg = await js.get_msg(stream, seq)
    except NotFoundError:
        return False
    if event_id is None:
        return True  # nothing to compare with (a message without an id): trust the sequence
    return bool((msg.headers or {}).get("Nats-Msg-Id") == str(event_id))


def _start_at(seq: int) -> dict[str, Any]:
    if seq <= 1:
        return {"deliver_policy": DeliverPolicy.ALL}
    return {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": seq}


class OrderedReader:
    """Messages of `stream` from `start_seq` on, in order, through an ordered consumer.

    Memory does not grow with the stream: the server sends more only after we take what it sent (flow
    control), so at most its flow-control window (32 MiB of messages in nats-server 2.x; measured: about
    48,000 messages of 600 bytes, whether the stream holds 200,000 or 400,000) waits in the client, and
    callers hand messages on in bounded batches.
    """

    def __init__(self, js: Any, stream: str, filter_subject: str, start_seq: int, *, idle_timeout: float = 1.0):
        self._js = js
        self._stream = stream
        self._filter = filter_subject
        self._start = start_seq
        self._idle = idle_timeout
        self._sub: Any = None

    async def __aenter__(self) -> OrderedReader:
        self._sub = await self._js.subscribe(
            self._filter,
            stream=self._stream,
            ordered_consumer=True,
            config=ConsumerConfig(**_start_at(self._start)),
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    async def next(self) -> Any | None:
        """The next message, or None when none arrived within the idle timeout."""
        try:
            return await self._sub.next_msg(timeout=self._idle)
        except TimeoutError:  # nats.errors.TimeoutError is a TimeoutError
            return None


class DeliveryGap(ConnectionError):
    """A message of the durable consumer never reached us (its delivery sequence skipped one).

    Acknowledging the next message would acknowledge the lost one too (ack-all), so the session ends
    instead and the next one recreates the consumer at the checkpoint: nothing is ever skipped.
    """


class DurableReader:
    """A durable pull consumer, recreated at `start_seq` by `open`, acknowledged with ack-all.

    Pull requests are kept outstanding on the server (batch `request_batch`, expiring after
    `request_expires`, with idle heartbeats), and `fetch` returns as soon as a message is there, with
    whatever else already arrived. nats-py's `fetch(n)` instead holds the first message of a waiting pull
    until n messages came or its timeout ran out: live, one event at a time, that was most of the
    timeout (0.7-2 s with 2 s) for a good share of commands. A new request is sent when fewer than half
    a batch is still owed, so there is no gap between requests while events keep coming.

    A request counts as lost (a restarted server forgets them) when neither a message nor a heartbeat came
    for two heartbeat intervals, or when the connection reconnected; a new one is sent then. Messages of
    every request arrive on one inbox in the consumer's order, and the delivery sequence of each is checked:
    a gap raises `DeliveryGap` (see there).
    """

    def __init__(
        self,
        js: Any,
        stream: str,
        durable: str,
        filter_subject: str,
        *,
        ack_wait: float = 60.0,
        max_ack_pending: int = 2000,
        request_batch: int = 500,
        request_expires: float = 30.0,
        heartbeat: float = 5.0,
    ) -> None:
        self._js = js
        self.stream = stream
        self.durable = durable
        self._filter = filter_subject
        self._ack_wait = ack_wait
        self._max_ack_pending = max_ack_pending
        self._request_batch = max(1, request_batch)
        self._request_expires = request_expires
        self._heartbeat = heartbeat
        self._nc: Any = None
        self._sub: Any = None
        self._inbox = ""
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._owed = 0  # messages the outstanding pull requests may still deliver
        self._heard_at = 0.0  # when the server last sent us anything on the inbox
        self._reconnects = 0
        self._last_delivery = 0  # the consumer's delivery sequence of the last message handed out

    async def open(self, start_seq: int) -> None:
        with contextlib.suppress(NotFoundError):
            await self._js.delete_consumer(self.stream, self.durable)
        await self._js.add_consumer(
            self.stream,
            ConsumerConfig(
                name=self.durable,
                durable_name=self.durable,
                filter_subject=self._filter,
                # Ack-all: acknowledging the last message of a committed batch acknowledges the batch.
                ack_policy=AckPolicy.ALL,
                ack_wait=self._ack_wait,
                max_ack_pending=self._max_ack_pending,
                max_deliver=-1,  # poison events are parked by us, never dropped by the server
                **_start_at(start_seq),
            ),
        )
        # nats-py has no public handle on a JetStream context's client and API prefix; the pull protocol is
        # plain NATS (a request on CONSUMER.MSG.NEXT with our inbox as reply), so we speak it directly.
        self._nc = self._js._nc
        self._inbox = self._nc.new_inbox()
        self._queue = asyncio.Queue()
        self._sub = await self._nc.subscribe(self._inbox, cb=self._received)
        self._owed = 0
        self._last_delivery = 0
        self._reconnects = self._nc.stats["reconnects"]

    async def _received(self, msg: Any) -> None:
        self._heard_at = time.monotonic()
        self._queue.put_nowait(msg)

    async def _request_more(self) -> None:
        """Keep enough pull requests outstanding; replace them if they may have been lost."""
        now = time.monotonic()
        reconnects = self._nc.stats["reconnects"]
        if self._owed and (reconnects != self._reconnects or now - self._heard_at > 2 * self._heartbeat):
            self._owed = 0  # the server may have forgotten them (restarted) or stopped serving them
        self._reconnects = reconnects
        if self._owed > self._request_batch // 2:
            return
        request = {
            "batch": self._request_batch,
            "expires": int(self._request_expires * 1e9),
            "idle_heartbeat": int(self._heartbeat * 1e9),
        }
        prefix = getattr(self._js, "_prefix", "$JS.API")
        await self._nc.publish(
            f"{prefix}.CONSUMER.MSG.NEXT.{self.stream}.{self.durable}", json.dumps(request).encode(), reply=self._inbox
        )
        self._owed += self._request_batch
        self._heard_at = now

    def _take(self, msg: Any, into: list[Any]) -> None:
        headers = msg.headers or {}
        status = headers.get("Status") if not msg.data else None
        if status is None and msg.reply:
            self._owed = max(0, self._owed - 1)
            delivery = int(msg.metadata.sequence.consumer)
            if delivery > self._last_delivery + 1:
                raise DeliveryGap(
                    f"consumer {self.durable} delivered {delivery} after {self._last_delivery}: a message was lost"
                )
            self._last_delivery = max(self._last_delivery, delivery)
            into.append(msg)
            return
        if status == "100":
            return  # an idle heartbeat: the requests are alive
        if status == "408":  # a request expired: it no longer owes what it did not deliver
            unfilled = headers.get("Nats-Pending-Messages")
            self._owed = max(0, self._owed - int(unfilled)) if unfilled and unfilled.isdigit() else 0
            return
        if status == "409" and "deleted" in str(headers.get("Description", "")).lower():
            raise DeliveryGap(f"consumer {self.durable} was deleted")
        self._owed = 0  # 404, another 409 (max waiting, leadership change): ask again

    async def fetch(self, batch: int, wait: float) -> list[Any]:
        """Up to `batch` messages, returned as soon as there is at least one; [] when none came within `wait`.

        A cancelled fetch loses nothing: messages that arrive later wait on the inbox for the next fetch.
        """
        if self._sub is None:
            raise RuntimeError("DurableReader.fetch before open")
        deadline = time.monotonic() + wait
        msgs: list[Any] = []
        while True:
            await self._request_more()
            while len(msgs) < batch and not self._queue.empty():
                self._take(self._queue.get_nowait(), msgs)
            if msgs:
                return msgs
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            try:
                # asyncio.timeout, not wait_for: Queue.get under wait_for can lose an item on 3.11
                async with asyncio.timeout(min(remaining, self._heartbeat)):
                    msg = await self._queue.get()
            except TimeoutError:
                continue
            self._take(msg, msgs)

    async def close(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None
