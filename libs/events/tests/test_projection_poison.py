"""Poison events are parked with their error, reported, and do not stop the events after them."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from rinnalla_events import PLACEHOLDER_EVENT_TYPE
from rinnalla_events._codec import RecordedEvent
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._parking import list_parked, retry_parked
from rinnalla_events._projection import Tables
from rinnalla_events._subjects import headers_for
from rinnalla_events.sample_events import ChildRegistered, Counted
from rinnalla_events.sample_projection import ChildDirectory
from rinnalla_events.testkit import EventLogKit

pytestmark = pytest.mark.integration

META = EventMetadata(tenant="092", actor="mentor-1")


class ChokesOnBad(ChildDirectory):
    """A projection with a bug: one child's registration makes its SQL fail (which aborts the transaction)."""

    async def apply(self, conn: Any, tables: Tables, recorded: RecordedEvent) -> None:
        await super().apply(conn, tables, recorded)
        if isinstance(recorded.event, ChildRegistered) and recorded.event.child_id == "bad":
            await conn.execute("SELECT 1 / 0")


def child(child_id: str) -> ChildRegistered:
    return ChildRegistered(child_id=child_id, name=f"Child {child_id}", hetu="010116A123N", school="Hakunila")


async def children(kit: EventLogKit) -> list[str]:
    return [r["child_id"] for r in await kit.rows("SELECT child_id FROM svc_read.children ORDER BY child_id")]


async def test_poison_events_are_parked_and_later_events_still_applied(kit: EventLogKit, run: Any) -> None:
    await kit.store.append("child", "c1", [child("c1")], expected_version=0, metadata=META)
    bad = await kit.store.append(
        "child", "bad", [child("bad"), Counted(n=1, label="x")], expected_version=0, metadata=META
    )
    await kit.store.append("child", "c2", [child("c2")], expected_version=0, metadata=META)
    await kit.publish_new()
    await kit.publish_raw("child.test.ChildRegistered", b"{not an envelope")  # a message no code can read
    await kit.store.append("child", "c3", [child("c3")], expected_version=0, metadata=META)
    await kit.publish_new()

    runner = kit.runner(ChokesOnBad(), batch_size=50)
    run(runner)
    await kit.wait_caught_up(runner)  # the checkpoint moved past both poison events

    assert await children(kit) == ["c1", "c2", "c3"]
    counts = await kit.rows("SELECT stream_id, events FROM svc_read.stream_counts WHERE stream_id = 'bad'")
    assert counts == [{"stream_id": "bad", "events": 1}]  # the Counted after the poison event was applied
    parked = await list_parked(kit.connections, "svc", "child_directory")
    assert [p.event_type for p in parked] == ["test.ChildRegistered", "unknown"]
    assert parked[0].event_id == bad.event_ids[0]
    assert "DivisionByZeroError" in parked[0].error
    assert parked[0].envelope["stream_id"] == "bad"
    assert parked[1].stream_seq == 5 and "ValidationError" in parked[1].error
    assert parked[1].envelope == {"unreadable": "{not an envelope"}
    assert runner.stats.parked == 2
    assert (
        runner.metrics.registry.get_sample_value("projection_events_parked_total", {"projection": "child_directory"})
        == 2
    )


async def test_parked_events_can_be_retried_once_the_bug_is_fixed(kit: EventLogKit, run: Any) -> None:
    await kit.store.append("child", "c1", [child("c1")], expected_version=0, metadata=META)
    bad = await kit.store.append("child", "bad", [child("bad")], expected_version=0, metadata=META)
    await kit.publish_new()
    await kit.publish_raw("child.test.ChildRegistered", b"garbage")
    run(kit.runner(ChokesOnBad()))
    await kit.wait_caught_up(ChildDirectory())
    assert await children(kit) == ["c1"]

    still_buggy = await retry_parked(ChokesOnBad(), connections=kit.connections, schema="svc", codec=kit.reader_codec)
    assert still_buggy.resolved == [] and len(still_buggy.failed) == 2
    assert await children(kit) == ["c1"]  # a failed retry writes nothing

    fixed = await retry_parked(ChildDirectory(), connections=kit.connections, schema="svc", codec=kit.reader_codec)
    assert fixed.resolved == [bad.event_ids[0]]
    assert len(fixed.failed) == 1  # the unreadable message stays parked for a person to look at
    assert await children(kit) == ["bad", "c1"]
    remaining = await list_parked(kit.connections, "svc", "child_directory")
    assert [p.event_type for p in remaining] == ["unknown"] and remaining[0].stream_seq == 3
    resolved = await list_parked(kit.connections, "svc", "child_directory", include_resolved=True)
    assert len(resolved) == 2 and any(p.resolved_at is not None for p in resolved)


async def test_a_placeholder_is_read_from_the_own_store_and_parked_by_a_consumer_without_the_event(
    kit: EventLogKit, run: Any
) -> None:
    """ADR 0006: an `EventTooLargeForBus` placeholder stands in for an event too large for the bus."""
    await kit.store.append("child", "c1", [child("c1")], expected_version=0, metadata=META)
    [stored] = await kit.store.read_all(kit.published)
    kit.published = stored.cursor
    pointer = {"event_id": str(stored.envelope.event_id), "event_type": stored.envelope.event_type}
    in_store = stored.envelope.model_copy(update={"event_type": PLACEHOLDER_EVENT_TYPE, "payload": pointer})
    elsewhere = in_store.model_copy(
        update={"event_id": uuid4(), "stream_id": "c9", "payload": {**pointer, "event_type": "other.Thing"}}
    )
    for placeholder in (in_store, elsewhere):
        await kit.publish_raw(f"child.{PLACEHOLDER_EVENT_TYPE}", placeholder.to_wire(),
                              {**headers_for(placeholder), "Nats-Msg-Id": str(placeholder.event_id)})
    await kit.store.append("child", "c2", [child("c2")], expected_version=0, metadata=META)
    await kit.publish_new()

    runner = kit.runner(ChildDirectory())
    run(runner)
    await kit.wait_caught_up(runner)

    assert await children(kit) == ["c1", "c2"]  # c1's event came from the store, not the bus
    [parked] = await list_parked(kit.connections, "svc", "child_directory")
    assert parked.event_id == elsewhere.event_id
    assert "EventTooLargeForBus" in parked.error and "other.Thing" in parked.error
