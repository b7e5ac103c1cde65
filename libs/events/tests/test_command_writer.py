"""The command writer against every event store: several streams at once, retries, and decisions that
change nothing."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from rinnalla_events._command_writer import CommandWriter, Idempotency
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._errors import ConcurrencyConflict
from rinnalla_events._event import DomainEvent, StreamEvents
from rinnalla_events._handling import Decider
from rinnalla_events._store import EventStore, IdempotencyKeyReused
from rinnalla_events.sample_events import Counted

META = EventMetadata(actor="coordinator")


def evolve(total: int, event: DomainEvent) -> int:
    return total + event.n if isinstance(event, Counted) else total


def no_commands(total: int, command: object) -> list[DomainEvent]:
    return []


TEAM = Decider[int, object]("team", lambda: 0, evolve, no_commands)
CHILD = Decider[int, object]("child", lambda: 0, evolve, no_commands)


def counted(stream_type: str, stream_id: str, *ns: int) -> StreamEvents:
    return StreamEvents(stream_type, stream_id, tuple(Counted(n=n, label="x") for n in ns))


async def test_a_command_appends_to_every_stream_it_loaded_at_once(store: EventStore) -> None:
    await store.append("team", "t1", [Counted(n=1, label="founded")], expected_version=0, metadata=META)
    writer = CommandWriter(store, META)
    team = await writer.load(TEAM, "t1")
    await writer.load(CHILD, "c1")

    outcome = await writer.commit([counted("child", "c1", 2), counted("team", "t1", 3)], {"id": "c1"}, tenant="092")

    assert outcome.changed and not outcome.replayed
    assert team.version == 1
    assert await store.stream_version("team", "t1") == 2
    child = await store.read_stream("child", "c1")
    assert [e.envelope.tenant for e in child] == ["092"]


async def test_streams_without_events_are_left_out(store: EventStore) -> None:
    writer = CommandWriter(store, META)
    await writer.load(CHILD, "c1")
    await writer.load(TEAM, "t1")

    outcome = await writer.commit([counted("child", "c1", 1), counted("team", "t1")], {"id": "c1"})

    assert outcome.changed
    assert await store.stream_version("child", "c1") == 1
    assert await store.stream_version("team", "t1") == 0


async def test_a_decision_without_events_answers_unchanged_and_appends_nothing(store: EventStore) -> None:
    writer = CommandWriter(store, META, Idempotency("key-1", "body-1"))
    await writer.load(CHILD, "c1")

    outcome = await writer.commit([counted("child", "c1")], {"id": "c1", "events": []})

    assert not outcome.changed and not outcome.replayed
    assert outcome.result == {"id": "c1", "events": []}
    assert await store.stream_version("child", "c1") == 0


async def test_the_loser_of_a_race_gets_a_conflict_and_writes_nothing(store: EventStore) -> None:
    first, second = CommandWriter(store, META), CommandWriter(store, META)
    await first.load(TEAM, "t1")
    await second.load(TEAM, "t1")
    await second.load(CHILD, "c2")

    await first.commit([counted("team", "t1", 1)], {})
    with pytest.raises(ConcurrencyConflict):
        await second.commit([counted("child", "c2", 1), counted("team", "t1", 1)], {})

    assert await store.stream_version("child", "c2") == 0
    assert await store.stream_version("team", "t1") == 1


async def test_a_retry_finds_the_first_outcome_and_another_body_is_refused(store: EventStore) -> None:
    writer = CommandWriter(store, META, Idempotency("key-1", "body-1"))
    await writer.load(CHILD, "c1")
    first = await writer.commit([counted("child", "c1", 1)], {"id": "c1"})

    retry = await CommandWriter(store, META, Idempotency("key-1", "body-1")).previous()
    assert retry is not None and retry.replayed and retry.result == first.result
    with pytest.raises(IdempotencyKeyReused):
        await CommandWriter(store, META, Idempotency("key-1", "body-2")).previous()


async def test_a_twin_that_committed_while_this_one_decided_answers_for_both(store: EventStore) -> None:
    twin = CommandWriter(store, META, Idempotency("key-1", "body-1"))
    late = CommandWriter(store, META, Idempotency("key-1", "body-1"))
    await twin.load(CHILD, "c1")
    await late.load(CHILD, "c1")

    first = await twin.commit([counted("child", "c1", 1)], {"id": "c1"})
    second = await late.commit([counted("child", "c1", 1)], {"id": "c1"})

    assert second.replayed and second.result == first.result
    assert await store.stream_version("child", "c1") == 1


async def test_the_command_s_trace_is_stored_with_its_events(store: EventStore) -> None:
    tracer = TracerProvider().get_tracer("test")
    writer = CommandWriter(store, META)
    with tracer.start_as_current_span("POST /v1/children/c1/nomination") as span:
        trace_id = f"{span.get_span_context().trace_id:032x}"
        await writer.commit([counted("child", "c1", 1)], {})

    (recorded,) = await store.read_stream("child", "c1")
    assert recorded.envelope.traceparent is not None and trace_id in recorded.envelope.traceparent
