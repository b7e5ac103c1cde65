"""The relay publishes every committed event once, in log order, and resumes from its checkpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
import relay_helpers as h
from nats.js.errors import NotFoundError
from prometheus_client import CollectorRegistry
from rinnalla_events._connections import AsyncpgConnections
from rinnalla_events._envelope import Envelope
from rinnalla_events._notify import install_notify_trigger
from rinnalla_events._relay import Relay
from rinnalla_events._store import Cursor, PostgresEventStore, StreamWrite
from rinnalla_events._subjects import Subjects, headers_for
from structlog.testing import capture_logs

pytestmark = pytest.mark.integration


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[Any]:
    """A separate client for looking at (and tampering with) the stream."""
    nc = await nats.connect(nats_url)
    yield nc.jetstream()
    await nc.close()


class Relays:
    """Relays with small batches (several batches in flight), each with its own NATS connection.

    Whatever a test leaves running is stopped and closed afterwards, also when the test fails (a relay
    left running would hold its database connection and the pool could never close).
    """

    def __init__(self, store: PostgresEventStore, pg: AsyncpgConnections, nats_url: str, subjects: Subjects):
        self._args = (store, pg, h.nats_factory(nats_url), subjects, h.SERVICE)
        self.made: list[Relay] = []
        self.running: list[asyncio.Task[None]] = []
        self.stop = asyncio.Event()

    def __call__(self, **options: Any) -> Relay:
        options.setdefault("batch_size", 16)
        options.setdefault("max_in_flight", 40)
        relay = Relay(*self._args, **options)
        self.made.append(relay)
        return relay

    def start(self, relay: Relay) -> asyncio.Task[None]:
        task = asyncio.create_task(relay.run(self.stop))
        self.running.append(task)
        return task

    async def close(self) -> None:
        self.stop.set()
        for task in self.running:
            if not task.done():
                try:
                    await asyncio.wait_for(task, 10)
                except TimeoutError:
                    task.cancel()
        for relay in self.made:
            await relay.close()


@pytest.fixture
async def make_relay(
    store: PostgresEventStore, pg: AsyncpgConnections, nats_url: str, subjects: Subjects
) -> AsyncIterator[Relays]:
    relays = Relays(store, pg, nats_url, subjects)
    yield relays
    await relays.close()


async def test_publishes_every_event_in_log_order_with_the_event_id_as_message_id(
    store: PostgresEventStore, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 40)  # 120 events: several batches, two batches in flight at a time
    registry = CollectorRegistry()
    relay = make_relay(registry=registry)

    assert await relay.publish_pending() == 120

    expected = await h.log_ids(store)
    messages = await h.stream_messages(js, subjects.stream_name(h.SERVICE))
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [str(i) for i in expected]
    stored = {e.envelope.event_id: e.envelope for e in await store.read_all(Cursor(), limit=1000)}
    for message in messages:
        envelope = Envelope.from_wire(message.data)
        assert envelope == stored[envelope.event_id]
        assert message.subject == subjects.subject_for(h.SERVICE, envelope)
        assert message.headers["Rinnalla-Event-Type"] == envelope.event_type
        assert message.headers["Rinnalla-Tenant"] == "092"
    assert await relay.lag() == 0
    assert registry.get_sample_value("rinnalla_relay_events_published_total", {"service": h.SERVICE}) == 120
    assert registry.get_sample_value("rinnalla_relay_lag_events", {"service": h.SERVICE}) == 0
    assert registry.get_sample_value("rinnalla_relay_last_publish_timestamp_seconds", {"service": h.SERVICE})


async def test_messages_carry_no_personal_data_in_plaintext(
    store: PostgresEventStore, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 2, per_stream=1)
    await make_relay().publish_pending()

    messages = await h.stream_messages(js, subjects.stream_name(h.SERVICE))
    assert len(messages) == 2
    for message in messages:
        raw = message.data + repr(message.headers).encode()
        for secret in (h.CHILD_NAME, "Aino", h.CHILD_HETU, h.GUARDIAN_NAME):
            assert secret.encode() not in raw
        assert b"Hakunila" in raw  # the rest of the event is there, readable


async def test_publishing_again_or_from_a_reset_checkpoint_stores_each_event_once(
    store: PostgresEventStore, pg: AsyncpgConnections, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 10)
    first = make_relay()
    assert await first.publish_pending() == 30
    assert await first.publish_pending() == 0

    async with pg.acquire() as conn:  # as if the relay had crashed before it saved any checkpoint
        await conn.execute("DELETE FROM svc.checkpoints WHERE name = 'relay'")
    with capture_logs() as logs:
        restarted = make_relay()
        assert await restarted.publish_pending() == 0
    assert any(log["event"] == "relay.stream_ahead_of_checkpoint" and log["already_published"] == 30 for log in logs)
    assert await restarted.lag() == 0

    # any other publish of the same event is dropped by JetStream's duplicate window
    envelope = (await store.read_all(Cursor(), limit=1))[0].envelope
    ack = await js.publish(subjects.subject_for(h.SERVICE, envelope), envelope.to_wire(), headers=headers_for(envelope))
    assert ack.duplicate

    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)


async def test_a_restarted_relay_resumes_from_its_checkpoint(
    store: PostgresEventStore, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 10)
    assert await make_relay().publish_pending() == 30
    await h.append_events(store, 5, first=10)

    assert await make_relay().publish_pending() == 15

    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)


@pytest.mark.parametrize("how", ["graceful stop", "cancelled"])
async def test_a_relay_stopped_mid_way_is_resumed_without_loss_or_duplicates(
    how: str, store: PostgresEventStore, pg: AsyncpgConnections, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 200)  # 600 events in batches of 8
    first = make_relay(batch_size=8, max_in_flight=16)
    running = make_relay.start(first)

    async def checkpointed() -> bool:
        async with pg.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM svc.checkpoints WHERE name = 'relay'"))

    await h.Deadline().until(checkpointed, "the first batch is checkpointed")
    if how == "graceful stop":  # the batches in flight are settled, the backlog is left for later
        make_relay.stop.set()
        await asyncio.wait_for(running, 10)
    else:  # a hard stop, possibly with publishes in flight and not checkpointed
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(running, 10)

    second = make_relay()
    await second.publish_pending()
    assert await second.lag() == 0
    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)


async def test_a_stream_that_lost_its_tail_is_refilled_when_the_relay_starts(
    store: PostgresEventStore, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 10)
    assert await make_relay().publish_pending() == 30
    await h.recreate_stream_with_prefix(js, subjects, store, keep=18)

    with capture_logs() as logs:
        assert await make_relay().publish_pending() == 12
    warnings = [log for log in logs if log["event"] == "relay.stream_lost_tail"]
    assert [(w["log_level"], w["republishing"]) for w in warnings] == [("warning", 12)]
    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)


async def test_an_empty_stream_is_refilled_from_the_start(
    store: PostgresEventStore, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    await h.append_events(store, 4)
    assert await make_relay().publish_pending() == 12
    await h.recreate_stream_with_prefix(js, subjects, store, keep=0)

    assert await make_relay().publish_pending() == 12
    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)


@pytest.mark.parametrize("wake_up", ["notify trigger", "in-process wake", "poll"])
async def test_a_running_relay_publishes_new_events_soon_after_they_commit(
    wake_up: str, store: PostgresEventStore, pg: AsyncpgConnections, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    if wake_up == "notify trigger":
        async with pg.acquire() as conn:
            await install_notify_trigger(conn, "svc")
    relay = make_relay()
    running = make_relay.start(relay)
    stream = subjects.stream_name(h.SERVICE)

    for round_ in range(3):
        await h.append_events(store, 2, first=2 * round_)
        if wake_up == "in-process wake":
            relay.wake()
        expected = await h.log_ids(store)

        async def published(expected: list[Any] = expected) -> bool:
            try:
                return await h.stream_ids(js, stream) == expected
            except NotFoundError:
                return False

        await h.Deadline().until(published, f"round {round_} is published")

    make_relay.stop.set()
    await asyncio.wait_for(running, 10)
    assert await relay.lag() == 0


async def test_a_store_that_wakes_the_relay_gets_its_events_published_without_waiting_for_a_poll(
    store: PostgresEventStore, pg: AsyncpgConnections, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    """No trigger: the store notifies after each commit (ADR 0007). The relay here would not poll again
    for an hour, so only the notification can bring each round out, also from an append in a caller's
    transaction and from an atomic append to several streams."""
    waking = PostgresEventStore(pg, store.schema, store.codec, wake_relay=True)
    relay = make_relay(idle_min=3600.0, idle_max=3600.0)
    make_relay.start(relay)
    stream = subjects.stream_name(h.SERVICE)

    async def all_published() -> bool:
        try:
            return await h.stream_ids(js, stream) == await h.log_ids(store)
        except NotFoundError:
            return False

    await h.Deadline().until(lambda: stream_exists(js, stream), "the relay has made its first pass")
    await h.append_events(waking, 2)
    await h.Deadline().until(all_published, "a plain append is published")

    async with pg.acquire() as conn, conn.transaction():
        caller = PostgresEventStore(h.Borrowed(conn), store.schema, store.codec, wake_relay=True)
        await h.append_events(caller, 1, first=10)
    await h.Deadline().until(all_published, "an append in a caller's transaction is published")

    await waking.append_streams(
        [StreamWrite("child", "c20", [h.child("c20")], 0), StreamWrite("child", "c21", [h.child("c21")], 0)],
        metadata=h.META,
    )
    await h.Deadline().until(all_published, "an atomic append to two streams is published")


async def stream_exists(js: Any, stream: str) -> bool:
    try:
        await js.stream_info(stream)
    except NotFoundError:
        return False
    return True


async def test_only_one_relay_of_a_store_publishes_at_a_time(
    store: PostgresEventStore, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    with capture_logs() as logs:
        tasks = [make_relay.start(make_relay(standby_poll=0.05)) for _ in range(2)]
        await h.append_events(store, 30)
        expected = await h.log_ids(store)

        async def published_and_one_on_standby() -> bool:
            if "relay.standby" not in [log["event"] for log in logs]:
                return False
            try:
                return len(await h.stream_ids(js, subjects.stream_name(h.SERVICE))) >= len(expected)
            except NotFoundError:
                return False

        await h.Deadline().until(published_and_one_on_standby, "everything is published")
        make_relay.stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)

    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == expected
    assert [log["event"] for log in logs].count("relay.active") == 1
    assert [log["event"] for log in logs].count("relay.standby") == 1


async def test_a_relay_that_loses_its_database_session_takes_its_lock_again_and_goes_on(
    store: PostgresEventStore, pg: AsyncpgConnections, make_relay: Relays, js: Any, subjects: Subjects
) -> None:
    relay = make_relay(retry_initial=0.05, retry_max=0.2)
    with capture_logs() as logs:
        make_relay.start(relay)
        await h.append_events(store, 3)

        async def caught_up() -> bool:
            return await relay.lag() == 0

        await h.Deadline().until(caught_up, "the first events are published")
        async with pg.acquire() as conn:  # what a database restart does to every session
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        await h.append_events(store, 3, first=3)

        async def active_again_and_caught_up() -> bool:
            return [log["event"] for log in logs].count("relay.active") == 2 and await caught_up()

        await h.Deadline().until(active_again_and_caught_up, "the relay is back and the later events are published")

    assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)


async def test_a_relay_can_borrow_a_connected_client_and_leaves_it_open(
    store: PostgresEventStore, pg: AsyncpgConnections, nats_url: str, js: Any, subjects: Subjects
) -> None:
    nc = await nats.connect(nats_url)
    try:
        relay = Relay(store, pg, nc, subjects, h.SERVICE)
        await h.append_events(store, 2)
        assert await relay.publish_pending() == 6
        await relay.close()
        assert nc.is_connected
        assert await h.stream_ids(js, subjects.stream_name(h.SERVICE)) == await h.log_ids(store)
    finally:
        await nc.close()
