"""nats-py pull consumer edge cases: fetch timeouts, cancelled fetches, pull requests left waiting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
import pytest
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._readers import DurableReader
from rinnalla_events.sample_events import Counted
from rinnalla_events.sample_projection import ChildDirectory, fold, read_state
from rinnalla_events.testkit import EventLogKit, eventually

pytestmark = pytest.mark.integration

META = EventMetadata(tenant="092", actor="mentor-1")


async def count(kit: EventLogKit, stream_id: str, n: int) -> None:
    version = await kit.store.stream_version("counter", stream_id)
    events = [Counted(n=i, label="x") for i in range(n)]
    await kit.store.append("counter", stream_id, events, expected_version=version, metadata=META)
    await kit.publish_new()


async def consistent(kit: EventLogKit) -> bool:
    async with kit.connections.acquire() as conn:
        return await read_state(conn, "svc_read.children", "svc_read.stream_counts") == fold(await kit.history())


async def test_empty_fetches_time_out_quietly_and_the_runner_keeps_serving(kit: EventLogKit, run: Any) -> None:
    runner = kit.runner(ChildDirectory(), fetch_timeout=0.1)
    run(runner)
    await eventually(lambda: runner.stats.empty_fetches >= 3)
    await count(kit, "a", 2)
    await kit.wait_caught_up(runner)
    assert runner.stats.sessions == 1  # timeouts are not failures: same session throughout
    assert runner.stats.applied == 2
    assert await consistent(kit)


async def test_durable_reader_reports_a_timed_out_fetch_as_empty(kit: EventLogKit) -> None:
    reader = DurableReader(kit.js, kit.stream, "probe", kit.subjects.all_of("svc"))
    await reader.open(1)
    try:
        assert await reader.fetch(5, 0.2) == []
        await count(kit, "a", 3)
        assert [m.metadata.sequence.stream for m in await reader.fetch(5, 2.0)] == [1, 2, 3]
    finally:
        await reader.close()


async def test_a_cancelled_fetch_loses_nothing_and_the_reader_stays_usable(kit: EventLogKit) -> None:
    reader = DurableReader(kit.js, kit.stream, "probe", kit.subjects.all_of("svc"))
    await reader.open(1)
    try:
        waiting = asyncio.create_task(reader.fetch(10, 30.0))

        async def request_is_waiting() -> bool:
            return int((await kit.js.consumer_info(kit.stream, "probe")).num_waiting) >= 1

        await eventually(request_is_waiting)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # The server still holds the cancelled request and delivers to it: the message waits in the
        # subscription's queue, and the next fetch hands it over.
        await count(kit, "a", 1)
        messages = await reader.fetch(10, 5.0)
        assert [m.metadata.sequence.stream for m in messages] == [1]
        await messages[-1].ack()
    finally:
        await reader.close()


async def test_a_pull_request_left_by_a_stalled_consumer_does_not_swallow_events(kit: EventLogKit, run: Any) -> None:
    first = run(kit.runner(ChildDirectory()))
    await eventually(lambda: first.runner.owner.is_set())
    await first.stop()
    # A process that is still connected but no longer reads (stalled) left a pull request waiting on the
    # durable consumer. Whatever the server hands to it stays unacknowledged until ack_wait.
    stalled = await nats.connect(kit.nc.connected_url.geturl())
    try:
        inbox = stalled.new_inbox()
        await stalled.subscribe(inbox)
        await stalled.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{kit.stream}.svc_child_directory",
            json.dumps({"batch": 10, "expires": 60_000_000_000}).encode(),
            reply=inbox,
        )
        await stalled.flush()
        await count(kit, "a", 2)
        # ack_wait is far longer than this test may take: the events must not depend on redelivery.
        runner = kit.runner(ChildDirectory(), ack_wait=600.0)
        run(runner)
        await kit.wait_caught_up(runner, within=15)
        assert runner.stats.applied == 2
    finally:
        await stalled.close()


async def test_a_runner_cancelled_while_waiting_for_messages_resumes_cleanly(kit: EventLogKit, run: Any) -> None:
    await count(kit, "a", 3)
    first = run(kit.runner(ChildDirectory(), fetch_timeout=30.0))
    await kit.wait_caught_up(ChildDirectory())
    await eventually(lambda: first.runner.stats.batches >= 1)
    await first.kill()  # in the middle of a 30 s fetch
    await count(kit, "a", 4)
    second = kit.runner(ChildDirectory())
    run(second)
    await kit.wait_caught_up(second)
    assert second.stats.applied == 4
    assert await consistent(kit)


async def test_a_waiting_fetch_hands_over_an_event_as_soon_as_it_arrives(kit: EventLogKit) -> None:
    """Live traffic is one event at a time: a fetch must not hold it until its batch is full or its wait ends."""
    reader = DurableReader(kit.js, kit.stream, "probe", kit.subjects.all_of("svc"), request_batch=100)
    await reader.open(1)
    try:
        waiting = asyncio.create_task(reader.fetch(100, 3600.0))

        async def request_is_waiting() -> bool:
            return int((await kit.js.consumer_info(kit.stream, "probe")).num_waiting) >= 1

        await eventually(request_is_waiting)
        await count(kit, "a", 1)
        await eventually(waiting.done)  # long before the hour the fetch may wait
        assert [m.metadata.sequence.stream for m in waiting.result()] == [1]
        # the same pull request keeps serving: the next event needs no new request to arrive
        await count(kit, "a", 1)
        assert [m.metadata.sequence.stream for m in await reader.fetch(100, 3600.0)] == [2]
    finally:
        await reader.close()
