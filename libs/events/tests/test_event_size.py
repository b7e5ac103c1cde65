"""Events too large for the bus: refused at append, and a relay that meets one anyway stops loudly before it
until an operator publishes a placeholder in its place (ADR 0006)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import nats
import pytest
import relay_helpers as h
from prometheus_client import CollectorRegistry
from rinnalla_events import (
    PLACEHOLDER_EVENT_TYPE,
    EventTooLarge,
    EventTooLargeForBus,
    NotBlocked,
    PostgresEventStore,
    Relay,
    StreamWrite,
    Subjects,
    message_bytes,
)
from rinnalla_events._connections import AsyncpgConnections
from rinnalla_events.sample_events import Counted
from structlog.testing import capture_logs

pytestmark = pytest.mark.integration


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[Any]:
    nc = await nats.connect(nats_url)
    yield nc.jetstream()
    await nc.close()


def small_store(store: PostgresEventStore, limit: int) -> PostgresEventStore:
    return PostgresEventStore(store._connections, store.schema, store.codec, max_message_bytes=limit)


async def test_an_event_too_large_for_the_bus_is_refused_and_nothing_of_the_append_is_written(
    store: PostgresEventStore,
) -> None:
    limited = small_store(store, 8_000)
    await limited.append("child", "c1", [Counted(n=1, label="fits")], expected_version=0, metadata=h.META)

    with pytest.raises(EventTooLarge) as refused:
        await limited.append_streams(
            [
                StreamWrite("child", "c1", [Counted(n=2, label="fits")], expected_version=1),
                StreamWrite("team", "t1", [Counted(n=1, label="x" * 9_000)], expected_version=0),
            ],
            metadata=h.META,
        )

    assert refused.value.event_type == "test.Counted"
    assert refused.value.size > 9_000
    assert refused.value.limit == 8_000
    assert await store.stream_version("child", "c1") == 1  # the other stream's event was not written either
    assert await store.stream_version("team", "t1") == 0


async def test_the_size_checked_at_append_bounds_what_the_relay_publishes(
    store: PostgresEventStore, pg: AsyncpgConnections, nats_url: str, subjects: Subjects, js: Any
) -> None:
    label = "ä€😀" * 300 + '"\\' * 100  # escapes and multi-byte characters: the bound must hold for them too
    event = Counted(n=1, label=label)
    await store.append("child", "c1", [event], expected_version=0, metadata=h.META)
    relay = Relay(store, pg, h.nats_factory(nats_url), subjects, h.SERVICE)
    try:
        await relay.publish_pending()
    finally:
        await relay.close()

    [message] = await h.stream_messages(js, subjects.stream_name(h.SERVICE))
    sent = message_bytes(message.data, {**message.headers, "Nats-Expected-Stream": "S" * 20,
                                        "Nats-Expected-Last-Sequence": "1"})
    for limit in (sent - 1, sent - 100):
        with pytest.raises(EventTooLarge):
            await small_store(store, limit).append("child", "c2", [event], expected_version=0, metadata=h.META)
    # and the bound is close: an event a few hundred bytes below the limit is accepted
    await small_store(store, sent + 400).append("child", "c2", [event], expected_version=0, metadata=h.META)


async def test_a_relay_that_meets_an_event_too_large_stops_before_it_loudly_until_a_placeholder_stands_in(
    store: PostgresEventStore, pg: AsyncpgConnections, nats_url: str, subjects: Subjects, js: Any
) -> None:
    # Written while the limit was 1 MiB; the bus's limit was lowered to 8 kB later.
    await store.append("child", "c1", [Counted(n=1, label="before")], expected_version=0, metadata=h.META)
    await store.append("child", "c2", [Counted(n=1, label="x" * 20_000)], expected_version=0, metadata=h.META)
    await store.append("child", "c1", [Counted(n=2, label="after")], expected_version=1, metadata=h.META)
    [before, too_large, after] = await h.log_ids(store)
    registry = CollectorRegistry()
    relay = Relay(store, pg, h.nats_factory(nats_url), subjects, h.SERVICE, registry=registry,
                  max_message_bytes=8_000)
    stream = subjects.stream_name(h.SERVICE)
    blocked_labels = {"service": h.SERVICE, "event_id": str(too_large), "stream_type": "child", "stream_id": "c2",
                      "event_type": "test.Counted"}
    try:
        with capture_logs() as logs, pytest.raises(EventTooLargeForBus) as stopped:
            await relay.publish_pending()
        with pytest.raises(EventTooLargeForBus):  # no way past it on its own
            await relay.publish_pending()

        assert stopped.value.event_id == str(too_large)
        assert await h.stream_ids(js, stream) == [before]  # everything before it, nothing after it
        errors = [entry for entry in logs if entry["event"] == "relay.event_too_large"]
        assert len(errors) == 1  # once, not on every look
        assert errors[0]["log_level"] == "error"
        assert errors[0]["event_id"] == str(too_large)
        assert errors[0]["stream_id"] == "c2"
        assert errors[0]["size"] > 20_000
        assert f"rinnalla relay publish-placeholder {h.SERVICE} {too_large}" in errors[0]["resolve"]
        assert registry.get_sample_value("rinnalla_relay_blocked_event_bytes", blocked_labels) == errors[0]["size"]
        assert (await relay.blocking_event()) is not None
        assert await relay.lag() == 2

        with pytest.raises(NotBlocked):  # only the event the relay is stopped at
            await relay.publish_placeholder(after)

        # the operator's command, from another process while the service's relay keeps running
        operator = Relay(store, pg, h.nats_factory(nats_url), subjects, h.SERVICE, max_message_bytes=8_000)
        try:
            await operator.publish_placeholder(too_large)
        finally:
            await operator.close()

        assert await relay.publish_pending() == 1
        assert registry.get_sample_value("rinnalla_relay_blocked_event_bytes", blocked_labels) is None
        assert await relay.blocking_event() is None
        assert await relay.lag() == 0
    finally:
        await relay.close()

    messages = await h.stream_messages(js, stream)
    assert [UUID(m.headers["Nats-Msg-Id"]) for m in messages] == [before, too_large, after]  # order unbroken
    placeholder = json.loads(messages[1].data)
    assert placeholder["event_type"] == PLACEHOLDER_EVENT_TYPE
    assert messages[1].subject.endswith(f".child.{PLACEHOLDER_EVENT_TYPE}")
    assert (placeholder["stream_id"], placeholder["version"]) == ("c2", 1)
    assert placeholder["payload"]["event_id"] == str(too_large)
    assert placeholder["payload"]["event_type"] == "test.Counted"
    assert placeholder["payload"]["size_bytes"] > 20_000
    assert await store.read_stream("child", "c2")  # the event itself stays in the store


async def test_a_relay_publishes_no_more_than_the_servers_max_payload(
    store: PostgresEventStore, pg: AsyncpgConnections, nats_url: str, subjects: Subjects
) -> None:
    relay = Relay(store, pg, h.nats_factory(nats_url), subjects, h.SERVICE, max_message_bytes=10**9)
    try:
        await relay.publish_pending()
        assert relay.message_limit() <= 1024 * 1024
    finally:
        await relay.close()
