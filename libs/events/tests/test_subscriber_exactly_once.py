"""Exactly-once effect: a killed runner, a failing connection, redelivery, duplicate publishes, a stream
that lost its tail: every time the read model ends equal to the reference fold of the log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rinnalla_events._applier import BatchApplier, Delivery
from rinnalla_events._codec import RecordedEvent
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._event import DomainEvent
from rinnalla_events._generations import create_generation
from rinnalla_events._parking import list_parked
from rinnalla_events._projection import Tables
from rinnalla_events._projection_metrics import ProjectionMetrics
from rinnalla_events._readers import OrderedReader
from rinnalla_events._store import Cursor
from rinnalla_events._subjects import ensure_stream
from rinnalla_events.sample_events import ChildRegistered, Counted, Guardian
from rinnalla_events.sample_projection import ChildDirectory, DirectoryState, fold, read_state
from rinnalla_events.testkit import EventLogKit

pytestmark = pytest.mark.integration

META = EventMetadata(tenant="092", actor="mentor-1")


async def append_children(kit: EventLogKit, first: int, count: int, counted: int = 9) -> None:
    for i in range(first, first + count):
        guardian = Guardian(guardian_id=f"c{i}-g1", name=f"Guardian {i}")
        registered = ChildRegistered(
            child_id=f"c{i}", name=f"Child {i}", hetu="010116A123N", school="Hakunila", guardians=(guardian,)
        )
        events: list[DomainEvent] = [registered, *(Counted(n=j, label="x") for j in range(counted))]
        await kit.store.append("child", f"c{i}", events, expected_version=0, metadata=META)


async def view_state(kit: EventLogKit) -> DirectoryState:
    async with kit.connections.acquire() as conn:
        return await read_state(conn, "svc_read.children", "svc_read.stream_counts")


async def active_checkpoint(kit: EventLogKit) -> int:
    rows = await kit.rows(
        "SELECT c.last_seq FROM svc.projection_checkpoints c JOIN svc.projection_generations g"
        " USING (projection, generation) WHERE g.state = 'active'"
    )
    return int(rows[0]["last_seq"])


class Stalling(ChildDirectory):
    """Hangs inside its Nth apply, in the middle of a batch's transaction, until the runner is killed."""

    def __init__(self, stall_at: int) -> None:
        self.calls = 0
        self.stall_at = stall_at
        self.stalled = asyncio.Event()

    async def apply(self, conn: Any, tables: Tables, recorded: RecordedEvent) -> None:
        self.calls += 1
        if self.calls == self.stall_at:
            self.stalled.set()
            await asyncio.Event().wait()
        await super().apply(conn, tables, recorded)


class DroppingConnection(ChildDirectory):
    """The database connection fails once, at the Nth apply (an infrastructure error, not a poison event)."""

    def __init__(self, fail_at: int) -> None:
        self.calls = 0
        self.fail_at = fail_at

    async def apply(self, conn: Any, tables: Tables, recorded: RecordedEvent) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise ConnectionResetError("connection reset by peer")
        await super().apply(conn, tables, recorded)


async def test_runner_killed_mid_batch_leaves_rows_and_checkpoint_consistent_and_restart_completes(
    kit: EventLogKit, run: Any
) -> None:
    await append_children(kit, 0, 12)  # 120 events
    await kit.publish_new()
    stalling = Stalling(stall_at=70)
    killed = run(kit.runner(stalling, batch_size=50))
    async with asyncio.timeout(20):
        await stalling.stalled.wait()
    await killed.kill()

    # What committed is whole batches: the rows account for exactly the events up to the checkpoint.
    checkpoint = await active_checkpoint(kit)
    assert 0 < checkpoint < 70
    assert sum(events for events, _ in (await view_state(kit)).counts.values()) == checkpoint

    await append_children(kit, 12, 3)
    await kit.publish_new()
    run(kit.runner(ChildDirectory(), batch_size=50))
    await kit.wait_caught_up(ChildDirectory())
    assert await view_state(kit) == fold(await kit.history())


async def test_connection_failure_mid_batch_is_retried_not_parked(kit: EventLogKit, run: Any) -> None:
    await append_children(kit, 0, 6)
    await kit.publish_new()
    runner = kit.runner(DroppingConnection(fail_at=25), batch_size=20)
    run(runner)
    await kit.wait_caught_up(runner)
    assert runner.stats.sessions == 2  # the failed session ended, a new one resumed from the checkpoint
    assert await view_state(kit) == fold(await kit.history())
    assert await list_parked(kit.connections, "svc", "child_directory") == []


async def test_duplicate_publishes_change_nothing(kit: EventLogKit, run: Any) -> None:
    await append_children(kit, 0, 3)
    await kit.publish_new()
    runner = kit.runner(ChildDirectory())
    run(runner)
    await kit.wait_caught_up(runner)
    before = await view_state(kit)

    stored = await kit.store.read_all(Cursor(), limit=1000)
    for event in stored:  # within JetStream's duplicate window: dropped by the server (same Nats-Msg-Id)
        await kit.publish_envelope(event.envelope)
    for event in stored:  # after the window (or without the id): new sequences, same events
        await kit.publish_envelope(event.envelope, with_msg_id=False)
    await kit.wait_caught_up(runner)

    assert await view_state(kit) == before == fold(await kit.history())
    assert runner.stats.applied == len(stored)
    assert runner.stats.duplicates == len(stored)
    # ... and the projection still applies what is new.
    await append_children(kit, 3, 1)
    await kit.publish_new()
    await kit.wait_caught_up(runner)
    assert await view_state(kit) == fold(await kit.history())


async def test_redelivered_messages_change_nothing(kit: EventLogKit) -> None:
    await append_children(kit, 0, 2, counted=4)  # 10 events
    await kit.publish_new()
    async with kit.connections.acquire() as conn:  # no runner: apply by hand, as a redelivering consumer would
        await create_generation(conn, "svc", "svc_read", ChildDirectory(), [kit.stream], activate=True)

    deliveries: list[Delivery] = []
    async with OrderedReader(kit.js, kit.stream, kit.subjects.all_of("svc"), 1) as reader:
        while len(deliveries) < 10:
            msg = await reader.next()
            assert msg is not None
            deliveries.append(Delivery.from_msg(kit.stream, msg, ack=False))
    applier = BatchApplier(
        ChildDirectory(),
        connections=kit.connections,
        schema="svc",
        codec=kit.reader_codec,
        metrics=ProjectionMetrics.create(),
    )
    first_pass = await applier.apply(deliveries[:6])
    assert (first_pass.applied, first_pass.duplicates) == (6, 0)
    overlapping = await applier.apply(deliveries[3:])  # 3..5 again, then 6..9 new
    assert (overlapping.applied, overlapping.duplicates) == (4, 3)
    again = await applier.apply(deliveries)
    assert (again.applied, again.duplicates) == (0, 10)
    assert again.checkpoints == {kit.stream: 10}
    assert await view_state(kit) == fold(await kit.history())


async def test_stream_that_lost_its_tail_gets_every_event_applied_once(kit: EventLogKit, run: Any) -> None:
    await append_children(kit, 0, 4, counted=4)  # 20 events
    await kit.publish_new()
    first = run(kit.runner(ChildDirectory()))
    await kit.wait_caught_up(ChildDirectory())
    await first.stop()
    assert await active_checkpoint(kit) == 20

    # JetStream came back without its last 8 messages (acknowledged, not yet on disk when it died). Before
    # the relay notices, new events take sequences 13..15, which the projection had already passed.
    await kit.js.delete_stream(kit.stream)
    await ensure_stream(kit.js, kit.subjects, "svc")
    stored = await kit.store.read_all(Cursor(), limit=1000)
    for event in stored[:12]:
        await kit.publish_envelope(event.envelope)
    kit.published = stored[-1].cursor
    await append_children(kit, 4, 1, counted=2)
    await kit.publish_new()
    for event in stored[12:]:  # then the relay republishes what the stream lost: 16..23
        await kit.publish_envelope(event.envelope)

    runner = kit.runner(ChildDirectory())
    run(runner)
    await kit.wait_caught_up(runner)
    assert await view_state(kit) == fold(await kit.history())
    assert runner.stats.applied == 3  # the new events; the 20 old ones were recognised as applied
