"""The relay through NATS outages: appends go on, the relay retries, catches up, and refills a stream that
lost acknowledged messages in a kill -9. Each test runs a nats-server of its own, so the shared one stays up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
import relay_helpers as h
from rinnalla_events._connections import AsyncpgConnections
from rinnalla_events._relay import Relay
from rinnalla_events._store import PostgresEventStore
from rinnalla_events._subjects import Subjects
from rinnalla_runtime.embedded import EmbeddedNats, nats_server_binary
from structlog.testing import capture_logs

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server (JetStream, default sync interval) that only this test stops, kills and restarts."""
    try:
        nats_server_binary()
    except FileNotFoundError:
        pytest.skip("needs the nats-server binary to stop, kill -9 and restart a server of its own")
    server = EmbeddedNats(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture
async def relay(
    store: PostgresEventStore, pg: AsyncpgConnections, own_nats: EmbeddedNats, subjects: Subjects
) -> AsyncIterator[Relay]:
    relay = Relay(
        store,
        pg,
        h.nats_factory(own_nats.url),
        subjects,
        h.SERVICE,
        batch_size=16,
        max_in_flight=40,
        ack_timeout=1.0,
        retry_initial=0.05,
        retry_max=0.5,
    )
    yield relay
    await relay.close()


async def stream_ids_on(server: EmbeddedNats, subjects: Subjects) -> list[Any]:
    nc = await nats.connect(server.url)
    try:
        return await h.stream_ids(nc.jetstream(), subjects.stream_name(h.SERVICE))  # type: ignore[no-any-return]
    finally:
        await nc.close()


async def publish_until_caught_up(relay: Relay) -> int:
    """Call publish_pending as a test would by hand until the relay reaches the end of the log."""
    published = 0

    async def caught_up() -> bool:
        nonlocal published
        try:
            published += await relay.publish_pending()
        except Exception:
            return False
        return await relay.lag() == 0

    await h.Deadline().until(caught_up, "the relay has caught up")
    return published


async def test_appends_succeed_while_nats_is_down_and_the_relay_catches_up_when_it_returns(
    store: PostgresEventStore, relay: Relay, own_nats: EmbeddedNats, subjects: Subjects
) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await h.append_events(store, 10)

        async def caught_up() -> bool:
            return await relay.lag() == 0

        await h.Deadline().until(caught_up, "the first events are published")

        own_nats.stop()
        with capture_logs() as logs:
            await h.append_events(store, 10, first=10)  # commands do not need NATS

            async def retried_twice() -> bool:
                return [log["event"] for log in logs].count("relay.retrying") >= 2

            await h.Deadline().until(retried_twice, "the relay has retried")
            assert await relay.lag() == 30
            assert not running.done()

            await asyncio.to_thread(own_nats.start)  # same port, same data directory

            async def recovered() -> bool:
                return "relay.recovered" in [log["event"] for log in logs] and await caught_up()

            await h.Deadline().until(recovered, "the relay has recovered and caught up")
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)

    assert await stream_ids_on(own_nats, subjects) == await h.log_ids(store)


async def test_after_a_kill_9_of_nats_the_stream_holds_every_event_once_in_order(
    store: PostgresEventStore, relay: Relay, own_nats: EmbeddedNats, subjects: Subjects
) -> None:
    await h.append_events(store, 100)
    assert await relay.publish_pending() == 300  # acknowledged and checkpointed

    own_nats.kill()  # the server may or may not have written the last acknowledged messages
    await asyncio.to_thread(own_nats.start)
    survived = len(await stream_ids_on(own_nats, subjects))

    assert await publish_until_caught_up(relay) == 300 - survived
    assert await stream_ids_on(own_nats, subjects) == await h.log_ids(store)


async def test_after_a_restart_that_lost_the_streams_tail_the_relay_republishes_the_lost_events(
    store: PostgresEventStore, relay: Relay, own_nats: EmbeddedNats, subjects: Subjects
) -> None:
    await h.append_events(store, 20)
    assert await relay.publish_pending() == 60

    own_nats.kill()
    await asyncio.to_thread(own_nats.start)
    # make the loss certain: the restarted server holds only the first 45 events
    nc = await nats.connect(own_nats.url)
    try:
        await h.recreate_stream_with_prefix(nc.jetstream(), subjects, store, keep=45)
    finally:
        await nc.close()

    with capture_logs() as logs:
        assert await publish_until_caught_up(relay) == 15
    lost = [log for log in logs if log["event"] == "relay.stream_lost_tail"]
    assert [(log["log_level"], log["republishing"]) for log in lost] == [("warning", 15)]
    assert await stream_ids_on(own_nats, subjects) == await h.log_ids(store)
