"""Erasure: the key is destroyed, `SubjectErased` is appended once, projections purge what they derived,
and no copy of the person's name was ever readable in the log or on the bus."""

from __future__ import annotations

from typing import Any

import pytest
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._erasure import SUBJECT_STREAM, SubjectErased, erase_subject
from rinnalla_events._readers import OrderedReader
from rinnalla_events.sample_events import ChildRegistered, Counted, Guardian
from rinnalla_events.sample_projection import ChildDirectory, fold, read_state
from rinnalla_events.testkit import EventLogKit

pytestmark = pytest.mark.integration

META = EventMetadata(tenant="092", actor="mentor-1")
SECRETS = ["Aino", "Virtanen", "010116A123N", "Maija"]


async def register_children(kit: EventLogKit) -> None:
    aino = ChildRegistered(
        child_id="c1",
        name="Aino Virtanen",
        hetu="010116A123N",
        school="Hakunila",
        guardians=(Guardian(guardian_id="g1", name="Maija Virtanen"),),
    )
    eino = ChildRegistered(
        child_id="c2",
        name="Eino Korhonen",
        hetu="020216A234P",
        school="Hakunila",
        guardians=(Guardian(guardian_id="g2", name="Liisa Korhonen"),),
    )
    await kit.store.append("child", "c1", [aino, Counted(n=3, label="a")], expected_version=0, metadata=META)
    await kit.store.append("child", "c2", [eino], expected_version=0, metadata=META)


async def raw_bus_bodies(kit: EventLogKit) -> list[bytes]:
    last = (await kit.js.stream_info(kit.stream)).state.last_seq
    bodies: list[bytes] = []
    async with OrderedReader(kit.js, kit.stream, kit.subjects.all_of("svc"), 1) as reader:
        while len(bodies) < last:
            msg = await reader.next()
            assert msg is not None
            bodies.append(bytes(msg.data) + repr(msg.headers).encode())
    return bodies


async def test_erasure_purges_projected_rows_and_leaves_no_readable_name(kit: EventLogKit, run: Any) -> None:
    await register_children(kit)
    await kit.publish_new()
    run(kit.runner(ChildDirectory()))
    await kit.wait_caught_up(ChildDirectory())
    names = await kit.rows("SELECT name FROM svc_read.children ORDER BY child_id")
    assert names == [{"name": "Aino Virtanen"}, {"name": "Eino Korhonen"}]  # the runner holds c1's key in cache

    erased = await erase_subject(kit.store, kit.keys, "c1", "child", "guardian's request", "dpo-1", "092")
    await kit.publish_new()
    await kit.wait_caught_up(ChildDirectory())

    assert await kit.rows("SELECT child_id FROM svc_read.children") == [{"child_id": "c2"}]
    assert await kit.rows("SELECT stream_id FROM svc_read.stream_counts ORDER BY stream_id") == [{"stream_id": "c2"}]
    # The projection's key cache (an hour long here) was told at once.
    assert await kit.reader_codec.keys.keys_for_reading(["c1"]) == {"c1": None}
    key_row = await kit.rows("SELECT wrapped_key, erased_at FROM keys.subject_keys WHERE subject_id = 'c1'")
    assert key_row[0]["wrapped_key"] is None and key_row[0]["erased_at"] is not None

    stored = await kit.rows("SELECT payload::text AS payload FROM svc.events")
    bus = await raw_bus_bodies(kit)
    assert len(stored) == len(bus) == 4
    for secret in SECRETS:
        assert not any(secret in row["payload"] for row in stored), secret
        assert not any(secret.encode() in body for body in bus), secret
    assert any(b"Hakunila" in body for body in bus)  # non-personal fields stay readable

    again = await erase_subject(kit.store, kit.keys, "c1", "child", "asked twice", "dpo-2", "092")
    assert again.duplicate and again.event_ids == erased.event_ids
    history = await kit.store.read_stream(SUBJECT_STREAM, "c1")
    assert [type(e.event) for e in history] == [SubjectErased]
    assert history[0].event == SubjectErased(
        subject_id="c1", subject_kind="child", reason="guardian's request", erased_by="dpo-1"
    )


async def test_erasing_a_guardian_removes_only_their_part_of_a_child_row(kit: EventLogKit, run: Any) -> None:
    await register_children(kit)
    await kit.publish_new()
    run(kit.runner(ChildDirectory()))
    await erase_subject(kit.store, kit.keys, "g2", "guardian", "retention period ended", "system", "092")
    await kit.publish_new()
    await kit.wait_caught_up(ChildDirectory())
    rows = await kit.rows("SELECT child_id, guardians::text AS guardians FROM svc_read.children ORDER BY child_id")
    assert rows == [
        {"child_id": "c1", "guardians": '{"g1": "Maija Virtanen"}'},
        {"child_id": "c2", "guardians": "{}"},
    ]
    async with kit.connections.acquire() as conn:
        assert await read_state(conn, "svc_read.children", "svc_read.stream_counts") == fold(await kit.history())
