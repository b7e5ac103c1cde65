"""The event store contract: every implementation must pass all of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from opentelemetry.sdk.trace import TracerProvider
from rinnalla_events._codec import EventCodec
from rinnalla_events._connections import AsyncpgConnections, SqlAlchemyConnections
from rinnalla_events._crypto import InMemoryKeyStore, PostgresKeyStore
from rinnalla_events._ddl import install_store
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._errors import ConcurrencyConflict
from rinnalla_events._event import ERASED
from rinnalla_events._memory import InMemoryEventStore
from rinnalla_events._store import Cursor, EventStore, IdempotencyKeyReused, PostgresEventStore, StreamWrite
from rinnalla_events.sample_events import ChildRegistered, Counted, Guardian, registry
from sqlalchemy.ext.asyncio import create_async_engine

META = EventMetadata(tenant="092", actor="user-1")
SCHEMA = "svc"


@pytest.fixture(params=["memory", "postgres", "postgres-via-sqlalchemy"])
async def store(request: pytest.FixtureRequest, database_url: str, master_key: bytes) -> AsyncIterator[EventStore]:
    """The contract suite runs against every event store implementation."""
    if request.param == "memory":
        yield InMemoryEventStore(EventCodec(registry(), InMemoryKeyStore()))
        return
    if request.param == "postgres":
        pg_conn = AsyncpgConnections(await asyncpg.create_pool(database_url, min_size=1, max_size=10))
        async with pg_conn.acquire() as conn:
            await install_store(conn, SCHEMA)
        yield PostgresEventStore(pg_conn, SCHEMA, EventCodec(registry(), PostgresKeyStore(pg_conn, master_key)))
        await pg_conn.close()
        return
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=10)
    sa_conn = SqlAlchemyConnections(engine)
    async with sa_conn.acquire() as conn:
        await install_store(conn, SCHEMA)
    yield PostgresEventStore(sa_conn, SCHEMA, EventCodec(registry(), PostgresKeyStore(sa_conn, master_key)))
    await engine.dispose()


def child(child_id: str = "c1") -> ChildRegistered:
    return ChildRegistered(
        child_id=child_id,
        name="Aino Virtanen",
        hetu="010116A123N",
        school="Hakunila",
        guardians=(Guardian(guardian_id=f"{child_id}-g1", name="Maija Virtanen"),),
    )


async def test_appended_events_read_back_in_order_with_metadata(store: EventStore) -> None:
    result = await store.append("child", "c1", [child(), Counted(n=1, label="a")], expected_version=0, metadata=META)
    assert (result.first_version, result.last_version) == (1, 2)
    events = await store.read_stream("child", "c1")
    assert [e.event for e in events] == [child(), Counted(n=1, label="a")]
    assert [e.envelope.version for e in events] == [1, 2]
    assert events[0].envelope.tenant == "092"
    assert events[0].envelope.actor == "user-1"
    assert events[0].envelope.correlation_id == events[1].envelope.correlation_id
    assert await store.stream_version("child", "c1") == 2


async def test_wrong_expected_version_conflicts_and_writes_nothing(store: EventStore) -> None:
    await store.append("child", "c1", [Counted(n=1, label="a")], expected_version=0, metadata=META)
    with pytest.raises(ConcurrencyConflict) as raised:
        await store.append(
            "child", "c1", [Counted(n=2, label="b"), Counted(n=3, label="c")], expected_version=0, metadata=META
        )
    assert raised.value.actual_version == 1
    with pytest.raises(ConcurrencyConflict):
        await store.append("child", "c1", [Counted(n=2, label="b")], expected_version=5, metadata=META)
    assert [e.event for e in await store.read_stream("child", "c1")] == [Counted(n=1, label="a")]


async def test_concurrent_appends_exactly_one_wins(store: EventStore) -> None:
    await store.append("child", "c1", [Counted(n=0, label="start")], expected_version=0, metadata=META)

    async def attempt(n: int) -> str:
        try:
            await store.append(
                "child", "c1", [Counted(n=n, label="x"), Counted(n=n, label="y")], expected_version=1, metadata=META
            )
            return "won"
        except ConcurrencyConflict:
            return "conflict"

    outcomes = await asyncio.gather(*(attempt(n) for n in range(8)))
    assert sorted(outcomes) == ["conflict"] * 7 + ["won"]
    events = await store.read_stream("child", "c1")
    assert len(events) == 3
    assert len({e.event.n for e in events[1:] if isinstance(e.event, Counted)}) == 1


async def test_same_idempotency_key_returns_first_result_and_writes_once(store: EventStore) -> None:
    first = await store.append(
        "child",
        "c1",
        [Counted(n=1, label="a")],
        expected_version=0,
        metadata=META,
        idempotency_key="k-1",
        request_fingerprint="f",
        result={"id": "c1"},
    )
    again = await store.append(
        "child",
        "c1",
        [Counted(n=1, label="a")],
        expected_version=0,
        metadata=META,
        idempotency_key="k-1",
        request_fingerprint="f",
        result={"id": "c1"},
    )
    assert again.duplicate and not first.duplicate
    assert again.event_ids == first.event_ids
    assert again.result == {"id": "c1"}
    assert len(await store.read_stream("child", "c1")) == 1
    assert (await store.previous_result("k-1", "f")) is not None


async def test_concurrent_retries_of_one_command_write_once(store: EventStore) -> None:
    results = await asyncio.gather(
        *(
            store.append(
                "child",
                "c9",
                [Counted(n=1, label="a")],
                expected_version=0,
                metadata=META,
                idempotency_key="same",
                request_fingerprint="f",
            )
            for _ in range(5)
        )
    )
    assert len({r.event_ids for r in results}) == 1
    assert len(await store.read_stream("child", "c9")) == 1


async def test_idempotency_key_reused_for_other_request_is_refused(store: EventStore) -> None:
    await store.append(
        "child",
        "c1",
        [Counted(n=1, label="a")],
        expected_version=0,
        metadata=META,
        idempotency_key="k-2",
        request_fingerprint="one",
    )
    with pytest.raises(IdempotencyKeyReused):
        await store.append(
            "child",
            "c2",
            [Counted(n=1, label="a")],
            expected_version=0,
            metadata=META,
            idempotency_key="k-2",
            request_fingerprint="two",
        )
    assert await store.read_stream("child", "c2") == []


async def test_read_all_returns_every_event_once_in_log_order(store: EventStore) -> None:
    for i in range(5):
        await store.append(
            "child", f"c{i}", [Counted(n=i, label="a"), Counted(n=i, label="b")], expected_version=0, metadata=META
        )
    seen = []
    cursor = Cursor()
    while batch := await store.read_all(cursor, limit=3):
        seen.extend(batch)
        cursor = batch[-1].cursor
    assert [(s.envelope.stream_id, s.envelope.version) for s in seen] == [
        (f"c{i}", v) for i in range(5) for v in (1, 2)
    ]
    assert await store.count_after(Cursor()) == 10
    assert await store.count_after(cursor) == 0


async def test_personal_fields_are_ciphertext_in_the_stored_payload(store: EventStore) -> None:
    await store.append("child", "c1", [child()], expected_version=0, metadata=META)
    stored = (await store.read_all(Cursor()))[0].envelope.payload
    text = str(stored)
    assert "Aino" not in text and "010116A123N" not in text and "Maija" not in text
    assert stored["school"] == "Hakunila"


async def test_erased_subject_reads_back_as_erased_and_others_are_untouched(store: EventStore) -> None:
    await store.append("child", "c1", [child("c1")], expected_version=0, metadata=META)
    await store.append("child", "c2", [child("c2")], expected_version=0, metadata=META)
    await store.codec.keys.destroy("c1")
    erased = (await store.read_stream("child", "c1"))[0].event
    assert isinstance(erased, ChildRegistered)
    assert (erased.name, erased.hetu, erased.school) == (ERASED, ERASED, "Hakunila")
    assert erased.guardians[0].name == "Maija Virtanen"  # the guardian is a person of their own
    kept = (await store.read_stream("child", "c2"))[0].event
    assert isinstance(kept, ChildRegistered) and kept.name == "Aino Virtanen"


async def test_appends_to_several_streams_land_together_or_not_at_all(store: EventStore) -> None:
    from rinnalla_events._store import StreamWrite

    await store.append("team", "t1", [Counted(n=0, label="founded")], expected_version=0, metadata=META)
    results = await store.append_streams(
        [StreamWrite("child", "c1", [child()], 0), StreamWrite("team", "t1", [Counted(n=1, label="joined")], 1)],
        metadata=META,
        idempotency_key="enrol-c1",
        request_fingerprint="f",
    )
    assert [(r.stream_type, r.last_version) for r in results] == [("child", 1), ("team", 2)]
    again = await store.append_streams(
        [StreamWrite("child", "c1", [child()], 0), StreamWrite("team", "t1", [Counted(n=1, label="joined")], 1)],
        metadata=META,
        idempotency_key="enrol-c1",
        request_fingerprint="f",
    )
    assert again[0].duplicate
    with pytest.raises(ConcurrencyConflict):  # the team moved on: the child's stream must stay empty too
        await store.append_streams(
            [StreamWrite("child", "c2", [child("c2")], 0), StreamWrite("team", "t1", [Counted(n=2, label="j")], 1)],
            metadata=META,
        )
    assert await store.read_stream("child", "c2") == []
    assert await store.stream_version("team", "t1") == 2
    both = await store.read_stream("child", "c1") + await store.read_stream("team", "t1")
    assert both[0].envelope.correlation_id == both[-1].envelope.correlation_id


async def test_the_relay_s_wire_form_is_the_same_envelope(store: EventStore) -> None:
    from rinnalla_events._envelope import Envelope
    from rinnalla_events._store import PostgresEventStore

    if not isinstance(store, PostgresEventStore):
        pytest.skip("the wire form is rendered by PostgreSQL")
    await store.append(
        "child",
        "c1",
        [child(), Counted(n=1, label='ä ö "quoted"')],
        expected_version=0,
        metadata=EventMetadata(tenant="092", actor="u", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01"),
    )
    stored = await store.read_all(Cursor())
    wire = await store.read_all_wire(Cursor())
    assert [w.cursor for w in wire] == [s.cursor for s in stored]
    assert [Envelope.from_wire(w.body) for w in wire] == [s.envelope for s in stored]
    assert wire[0].event_id == str(stored[0].envelope.event_id)


async def test_events_carry_the_trace_of_the_span_they_were_appended_in(store: EventStore) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("POST /v1/children/c1") as span:
        trace_id = f"{span.get_span_context().trace_id:032x}"
        await store.append("child", "c1", [child()], expected_version=0, metadata=META)
        await store.append_streams([StreamWrite("child", "c2", [child("c2")], 0)], metadata=META)
    stored = [*await store.read_stream("child", "c1"), *await store.read_stream("child", "c2")]
    assert [e.envelope.traceparent.split("-")[1] for e in stored if e.envelope.traceparent] == [trace_id, trace_id]


async def test_a_trace_named_in_the_metadata_is_kept_and_none_is_invented(store: EventStore) -> None:
    named = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    with TracerProvider().get_tracer("test").start_as_current_span("a policy"):
        await store.append(
            "child", "c1", [child()], expected_version=0, metadata=EventMetadata(actor="u", traceparent=named)
        )
    await store.append("child", "c2", [child("c2")], expected_version=0, metadata=META)  # outside any span
    stored = [e.envelope.traceparent for c in ("c1", "c2") for e in await store.read_stream("child", c)]
    assert stored == [named, None]
