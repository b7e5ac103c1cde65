"""A projection fed from JetStream: rows behind stable views, batching, lag, tracing, one active owner."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._generations import ViewBelongsToAnotherProjection
from rinnalla_events._projection import Projection, Tables, check_projection
from rinnalla_events.sample_events import ChildRegistered, Counted, Guardian
from rinnalla_events.sample_projection import ChildDirectory, fold, read_state
from rinnalla_events.testkit import EventLogKit, eventually

pytestmark = pytest.mark.integration

META = EventMetadata(tenant="092", actor="mentor-1")


def child(child_id: str, name: str = "Aino Virtanen") -> ChildRegistered:
    return ChildRegistered(
        child_id=child_id,
        name=name,
        hetu="010116A123N",
        school="Hakunila",
        guardians=(Guardian(guardian_id=f"{child_id}-g1", name="Maija Virtanen"),),
    )


async def test_events_become_rows_readable_through_the_view(kit: EventLogKit, run: Any) -> None:
    await kit.store.append("child", "c1", [child("c1"), Counted(n=5, label="a")], expected_version=0, metadata=META)
    await kit.store.append("child", "c2", [child("c2", "Eino Korhonen")], expected_version=0, metadata=META)
    await kit.publish_new()
    run(kit.runner(ChildDirectory()))
    await kit.wait_caught_up(ChildDirectory())
    rows = await kit.rows("SELECT child_id, name, school FROM svc_read.children ORDER BY child_id")
    assert rows == [
        {"child_id": "c1", "name": "Aino Virtanen", "school": "Hakunila"},
        {"child_id": "c2", "name": "Eino Korhonen", "school": "Hakunila"},
    ]
    await kit.store.append("child", "c1", [Counted(n=7, label="b")], expected_version=2, metadata=META)
    await kit.publish_new()
    await kit.wait_caught_up(ChildDirectory())
    counts = await kit.rows("SELECT stream_id, events, total FROM svc_read.stream_counts ORDER BY stream_id")
    assert counts == [{"stream_id": "c1", "events": 3, "total": 12}, {"stream_id": "c2", "events": 1, "total": 0}]


async def test_catch_up_commits_in_batches_and_live_events_one_by_one(kit: EventLogKit, run: Any) -> None:
    for i in range(20):
        events = [child(f"c{i}")] + [Counted(n=j, label="x") for j in range(9)]
        await kit.store.append("child", f"c{i}", events, expected_version=0, metadata=META)
    assert await kit.publish_new() == 200
    # Far behind (>= 10 events): replay through an ordered consumer, 50 events per transaction.
    runner = kit.runner(ChildDirectory(), batch_size=50, catch_up_threshold=10, linger=2.0)
    run(runner)
    await kit.wait_caught_up(runner)
    assert runner.stats.applied == 200
    assert runner.stats.batches == 4
    for n in range(3):
        await kit.store.append("child", "live", [Counted(n=n, label="live")], expected_version=n, metadata=META)
        await kit.publish_new()
        await kit.wait_caught_up(runner)
        assert runner.stats.batches == 5 + n  # live: one transaction per event
    async with kit.connections.acquire() as conn:
        assert await read_state(conn, "svc_read.children", "svc_read.stream_counts") == fold(await kit.history())
    assert (
        runner.metrics.registry.get_sample_value(
            "rinnalla_projection_events_applied_total", {"service": "", "projection": "child_directory"}
        )
        == 203
    )


async def test_lag_counts_unapplied_events_and_sets_the_gauge(kit: EventLogKit, run: Any) -> None:
    await kit.store.append("child", "c1", [Counted(n=1, label="a")] * 3, expected_version=0, metadata=META)
    await kit.publish_new()
    assert await kit.lag(ChildDirectory()) == 3  # not even installed yet: everything is behind
    runner = kit.runner(ChildDirectory())
    run(runner)
    await kit.wait_caught_up(runner)
    assert await kit.lag(ChildDirectory()) == 0
    assert (
        runner.metrics.registry.get_sample_value(
            "rinnalla_projection_lag_events", {"service": "", "projection": "child_directory", "stream": kit.stream}
        )
        == 0
    )


async def test_only_one_runner_applies_and_the_other_takes_over_when_it_stops(kit: EventLogKit, run: Any) -> None:
    first = run(kit.runner(ChildDirectory()))
    async with asyncio.timeout(10):
        await first.runner.owner.wait()
    second = run(kit.runner(ChildDirectory()))
    await eventually(lambda: second.runner.stats.lock_attempts >= 2)  # it has asked, and been refused
    await kit.store.append("child", "c1", [child("c1"), Counted(n=1, label="a")], expected_version=0, metadata=META)
    await kit.publish_new()
    await kit.wait_caught_up(first.runner)
    assert first.runner.stats.applied == 2
    assert not second.runner.owner.is_set()  # still waiting for the lock
    assert second.runner.stats.sessions == 0 and second.runner.stats.batches == 0

    await first.stop()
    async with asyncio.timeout(10):
        await second.runner.owner.wait()
    await kit.store.append("child", "c1", [Counted(n=2, label="b")], expected_version=2, metadata=META)
    await kit.publish_new()
    await kit.wait_caught_up(second.runner)
    assert second.runner.stats.applied == 1  # only the new event: the checkpoint says the rest is done
    async with kit.connections.acquire() as conn:
        assert await read_state(conn, "svc_read.children", "svc_read.stream_counts") == fold(await kit.history())


async def test_each_applied_event_continues_the_trace_of_the_command(kit: EventLogKit, run: Any) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace_id, span_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    traced = EventMetadata(tenant="092", actor="mentor-1", traceparent=f"00-{trace_id}-{span_id}-01")
    await kit.store.append("child", "c1", [child("c1")], expected_version=0, metadata=traced)
    await kit.publish_new()
    runner = kit.runner(ChildDirectory(), tracer_provider=provider)
    run(runner)
    await kit.wait_caught_up(runner)
    applied = [s for s in exporter.get_finished_spans() if s.name.endswith("apply test.ChildRegistered")]
    assert len(applied) == 1
    span = applied[0]
    assert span.context is not None and span.parent is not None
    assert f"{span.context.trace_id:032x}" == trace_id
    assert f"{span.parent.span_id:016x}" == span_id
    assert any(s.name == "projection child_directory batch" for s in exporter.get_finished_spans())
    provider.shutdown()


class Misnamed(ChildDirectory):
    name: ClassVar[str] = "Child-Directory"


class Clashing(ChildDirectory):
    name: ClassVar[str] = "other_directory"


def test_projection_names_that_would_not_be_safe_identifiers_are_refused() -> None:
    with pytest.raises(ValueError, match="invalid projection name 'Child-Directory'"):
        check_projection(Misnamed())
    with pytest.raises(ValueError, match="longer than 63"):
        Tables("svc", "a" * 30, 10, ("b" * 20,)).index("c" * 24)
    tables = ChildDirectory().tables_for("svc", 3)
    assert tables["children"] == "svc.child_directory__g3__children"
    with pytest.raises(KeyError, match="has no table 'nope'"):
        tables["nope"]


async def test_two_projections_cannot_claim_the_same_view(kit: EventLogKit, run: Any) -> None:
    first = run(kit.runner(ChildDirectory()))
    async with asyncio.timeout(10):
        await first.runner.owner.wait()
    await kit.wait_caught_up(ChildDirectory())
    clashing = run(kit.runner(Clashing()))
    with pytest.raises(ViewBelongsToAnotherProjection, match=r"svc_read\.children"):
        async with asyncio.timeout(10):
            await clashing.task


def test_a_projection_without_purge_is_not_a_projection() -> None:
    class Forgetful(Projection):
        name: ClassVar[str] = "forgetful"
        version: ClassVar[int] = 1
        sources: ClassVar[tuple[str, ...]] = ("svc",)
        tables: ClassVar[tuple[str, ...]] = ("rows",)

        def ddl(self, tables: Tables) -> list[str]:
            return []

        async def apply(self, conn: Any, tables: Tables, recorded: Any) -> None:
            return None

    with pytest.raises(TypeError, match="purge_subject"):
        Forgetful()  # type: ignore[abstract]
