"""Blue/green rebuilds: the new generation equals the live one, readers switch at once, the old keeps
serving (and being updated) until then; a new projection version rebuilds itself."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest
from rinnalla_events._codec import RecordedEvent
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._erasure import erase_subject
from rinnalla_events._generations import drop_generation, generations, lock_key
from rinnalla_events._locks import session_lock
from rinnalla_events._parking import list_parked
from rinnalla_events._projection import Projection, Tables
from rinnalla_events._rebuild import REBUILD_LOCK, RebuildInProgress
from rinnalla_events.sample_events import ChildRegistered, Counted, Guardian
from rinnalla_events.sample_projection import ChildDirectory, DirectoryState, fold, read_state
from rinnalla_events.testkit import EventLogKit

pytestmark = pytest.mark.integration

META = EventMetadata(tenant="092", actor="mentor-1")


async def append_children(kit: EventLogKit, ids: Sequence[int]) -> None:
    for i in ids:
        guardian = Guardian(guardian_id=f"c{i}-g1", name=f"Guardian {i}")
        registered = ChildRegistered(
            child_id=f"c{i}", name=f"Child {i}", hetu="010116A123N", school=f"School {i % 3}", guardians=(guardian,)
        )
        counted = [Counted(n=j, label="x") for j in range(4)]
        await kit.store.append("child", f"c{i}", [registered, *counted], expected_version=0, metadata=META)


async def generation_state(kit: EventLogKit, generation: int) -> DirectoryState:
    tables = ChildDirectory().tables_for("svc", generation)
    async with kit.connections.acquire() as conn:
        return await read_state(conn, tables["children"], tables["stream_counts"])


async def view_state(kit: EventLogKit) -> DirectoryState:
    async with kit.connections.acquire() as conn:
        return await read_state(conn, "svc_read.children", "svc_read.stream_counts")


async def view_source(kit: EventLogKit, view: str = "children") -> str:
    rows = await kit.rows("SELECT pg_get_viewdef(to_regclass($1)) AS d", f"svc_read.{view}")
    return str(rows[0]["d"])


async def test_rebuild_equals_incremental_and_old_generation_serves_until_the_switch(
    kit: EventLogKit, run: Any
) -> None:
    await append_children(kit, range(6))
    await erase_subject(kit.store, kit.keys, "c2", "child", "request", "dpo-1", "092")
    await kit.publish_new()
    run(kit.runner(ChildDirectory()))
    await kit.wait_caught_up(ChildDirectory())
    live_before = await view_state(kit)

    progress: list[tuple[int, int]] = []

    async def on_progress(done: int, total: int) -> None:
        progress.append((done, total))
        if len(progress) > 1:
            return
        # Mid-rebuild: readers still get generation 1, and the live runner keeps it up to date.
        assert "child_directory__g1__children" in await view_source(kit)
        assert await view_state(kit) == live_before
        await append_children(kit, [6, 7])
        await erase_subject(kit.store, kit.keys, "c4-g1", "guardian", "request", "dpo-1", "092")
        await kit.publish_new()
        await kit.wait_caught_up(ChildDirectory())
        assert {"c6", "c7"} <= set((await view_state(kit)).children)

    result = await kit.rebuild(ChildDirectory(), batch_size=7, on_progress=on_progress, drop_previous=False)

    assert (result.generation, result.previous, result.dropped_previous) == (2, 1, False)
    assert "child_directory__g2__children" in await view_source(kit)
    expected = fold(await kit.history())
    assert await generation_state(kit, 1) == await generation_state(kit, 2) == expected == await view_state(kit)
    assert "c2" not in expected.children and expected.children["c4"][2] == {}
    # Progress came in steps of at most one batch: the rebuild streamed the log, it did not collect it.
    steps = [b[0] - a[0] for a, b in zip([(0, 0), *progress], progress, strict=False)]
    assert all(0 < step <= 7 for step in steps)
    assert progress[-1][0] == progress[-1][1] == result.events

    # The live runner now serves generation 2; generation 1 is retired and frozen.
    await append_children(kit, [8])
    await kit.publish_new()
    await kit.wait_caught_up(ChildDirectory())
    assert "c8" in (await view_state(kit)).children
    assert "c8" not in (await generation_state(kit, 1)).children
    async with kit.connections.acquire() as conn:
        states = [(g.generation, g.state) for g in await generations(conn, "svc", "child_directory")]
        assert states == [(1, "retired"), (2, "active")]
        await drop_generation(conn, "svc", ChildDirectory(), 1)
    assert await kit.rows("SELECT to_regclass('svc.child_directory__g1__children') AS t") == [{"t": None}]


async def test_rebuild_drops_the_previous_generation_by_default(kit: EventLogKit) -> None:
    await append_children(kit, range(3))
    await kit.publish_new()
    first = await kit.rebuild(ChildDirectory())  # no active generation yet: the rebuild installs the first
    assert (first.generation, first.previous) == (1, None)
    second = await kit.rebuild(ChildDirectory())
    assert (second.generation, second.previous, second.dropped_previous) == (2, 1, True)
    tables = await kit.rows(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'svc' AND relname LIKE 'child_directory%' ORDER BY relname"
    )
    assert [t["relname"] for t in tables if "__g1__" in t["relname"]] == []
    assert await view_state(kit) == fold(await kit.history())


class Stalling(ChildDirectory):
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


async def test_an_interrupted_rebuild_resumes_where_it_stopped(kit: EventLogKit) -> None:
    await append_children(kit, range(8))  # 40 events
    await kit.publish_new()
    stalling = Stalling(stall_at=25)
    interrupted = asyncio.create_task(kit.rebuild(stalling, batch_size=10))
    async with asyncio.timeout(20):
        await stalling.stalled.wait()
    interrupted.cancel()
    with pytest.raises(asyncio.CancelledError):
        await interrupted

    result = await kit.rebuild(ChildDirectory(), batch_size=10)
    assert result.generation == 1  # the same generation, continued
    assert result.events == 20  # 20 were committed before the interruption
    assert await view_state(kit) == fold(await kit.history())


async def test_a_second_rebuild_of_the_same_projection_is_refused(kit: EventLogKit) -> None:
    async with session_lock(kit.connections, REBUILD_LOCK, lock_key("svc", "child_directory")) as held:
        assert held
        with pytest.raises(RebuildInProgress):
            await kit.rebuild(ChildDirectory())


class ChildNamesV2(Projection):
    """Version 2 of the directory: other columns, and no per-stream counts any more."""

    name: ClassVar[str] = "child_directory"
    version: ClassVar[int] = 2
    sources: ClassVar[tuple[str, ...]] = ("svc",)
    tables: ClassVar[tuple[str, ...]] = ("children",)

    def ddl(self, tables: Tables) -> list[str]:
        return [f"CREATE TABLE {tables['children']} (child_id text PRIMARY KEY, display_name text NOT NULL)"]

    async def apply(self, conn: Any, tables: Tables, recorded: RecordedEvent) -> None:
        if isinstance(recorded.event, ChildRegistered):
            await conn.execute(
                f"INSERT INTO {tables['children']} VALUES ($1, $2)"
                " ON CONFLICT (child_id) DO UPDATE SET display_name = EXCLUDED.display_name",
                recorded.event.child_id,
                recorded.event.name.upper(),
            )

    async def purge_subject(self, conn: Any, tables: Tables, subject_id: str) -> None:
        await conn.execute(f"DELETE FROM {tables['children']} WHERE child_id = $1", subject_id)


async def test_a_new_projection_version_is_rebuilt_before_it_serves(kit: EventLogKit, run: Any) -> None:
    await append_children(kit, range(3))
    await kit.publish_new()
    v1 = run(kit.runner(ChildDirectory()))
    await kit.wait_caught_up(ChildDirectory())
    await v1.stop()

    v2 = run(kit.runner(ChildNamesV2()))
    async with asyncio.timeout(20):
        await v2.runner.owner.wait()  # set once the new version's generation is active
    await append_children(kit, [3])
    await kit.publish_new()
    await kit.wait_caught_up(ChildNamesV2())
    rows = await kit.rows("SELECT * FROM svc_read.children ORDER BY child_id")
    assert rows == [{"child_id": f"c{i}", "display_name": f"CHILD {i}"} for i in range(4)]
    assert await kit.rows("SELECT to_regclass('svc_read.stream_counts') AS v") == [{"v": None}]
    async with kit.connections.acquire() as conn:
        gens = await generations(conn, "svc", "child_directory")
    assert [(g.generation, g.version, g.state) for g in gens] == [(2, 2, "active")]


async def test_an_outdated_runner_stops_applying_and_hands_over_to_the_new_version(kit: EventLogKit, run: Any) -> None:
    await append_children(kit, range(2))
    await kit.publish_new()
    v1 = run(kit.runner(ChildDirectory(), lock_check_seconds=0.1))
    await kit.wait_caught_up(v1.runner)
    applied_by_v1 = v1.runner.stats.applied

    await kit.rebuild(ChildNamesV2())  # a newer deployment rebuilt the projection while v1 still runs
    v2 = run(kit.runner(ChildNamesV2()))
    async with asyncio.timeout(20):
        await v2.runner.owner.wait()  # v1 noticed, gave up the lock, and keeps out of the way
    await append_children(kit, [2])
    await kit.publish_new()
    await kit.wait_caught_up(ChildNamesV2())

    assert v1.runner.stats.applied == applied_by_v1
    assert await list_parked(kit.connections, "svc") == []
    rows = await kit.rows("SELECT * FROM svc_read.children ORDER BY child_id")
    assert rows == [{"child_id": f"c{i}", "display_name": f"CHILD {i}"} for i in range(3)]
    assert not v1.task.done()  # still alive, waiting for the versions to agree (or to be replaced)


async def test_a_projection_that_writes_whole_batches_builds_the_same_rows(kit: EventLogKit) -> None:
    from rinnalla_events.sample_projection import BatchedChildDirectory

    await append_children(kit, range(8))
    await kit.publish_new()
    result = await kit.rebuild(BatchedChildDirectory(), batch_size=7)
    assert result.events == 40
    assert await view_state(kit) == fold(await kit.history())
