"""A reader must never pass an event that a still-open transaction may yet commit.

Positions are handed out at insert time but become visible at commit time, so a transaction that
commits late leaves a gap that is filled afterwards. These tests hold a writer's transaction open on
purpose and check that no reader moves past it, in both orders of transaction ids.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._store import Cursor, PostgresEventStore

pytestmark = pytest.mark.integration


async def insert_raw(conn: Any, stream_id: str) -> None:
    await conn.execute(
        """INSERT INTO svc.events (event_id, stream_type, stream_id, version, event_type, schema_version,
                                   occurred_at, actor, correlation_id, payload)
           VALUES ($1, 'child', $2, 1, 'test.Counted', 2, now(), 'a', $1, '{"n": 1, "label": "late"}')""",
        uuid.uuid4(),
        stream_id,
    )


async def read_everything(store: PostgresEventStore, cursor: Cursor) -> tuple[list[str], Cursor]:
    seen: list[str] = []
    while batch := await store.read_all(cursor):
        seen.extend(e.envelope.stream_id for e in batch)
        cursor = batch[-1].cursor
    return seen, cursor


async def test_reader_waits_for_an_earlier_transaction_that_commits_late(
    store: PostgresEventStore, database_url: str
) -> None:
    from rinnalla_events.sample_events import Counted

    writer_a = await asyncpg.connect(database_url)
    try:
        tx_a = writer_a.transaction()
        await tx_a.start()
        await insert_raw(writer_a, "A")  # A takes the lower position and holds its transaction open
        await store.append(
            "child", "B", [Counted(n=2, label="b")], expected_version=0, metadata=EventMetadata(actor="b")
        )
        seen, cursor = await read_everything(store, Cursor())
        assert seen == []  # B is committed, but reading it now would mean passing A's open position
        await tx_a.commit()
        more, _ = await read_everything(store, cursor)
        assert more == ["A", "B"]
    finally:
        await writer_a.close()


async def test_reader_does_not_skip_a_late_commit_with_a_lower_position(
    store: PostgresEventStore, database_url: str
) -> None:
    writer_a = await asyncpg.connect(database_url)
    writer_b = await asyncpg.connect(database_url)
    try:
        tx_b = writer_b.transaction()
        await tx_b.start()
        await writer_b.execute("SELECT pg_current_xact_id()")  # B owns the older transaction id
        tx_a = writer_a.transaction()
        await tx_a.start()
        await insert_raw(writer_a, "A")  # A gets the lower position, the newer transaction id
        await insert_raw(writer_b, "B")
        await tx_b.commit()
        seen, cursor = await read_everything(store, Cursor())
        assert seen == ["B"]
        await tx_a.commit()
        more, _ = await read_everything(store, cursor)
        assert more == ["A"]  # the late commit is delivered, not skipped
    finally:
        await writer_a.close()
        await writer_b.close()


async def test_a_rolled_back_transaction_does_not_block_readers(
    store: PostgresEventStore, database_url: str
) -> None:
    writer = await asyncpg.connect(database_url)
    try:
        tx = writer.transaction()
        await tx.start()
        await insert_raw(writer, "gone")
        await tx.rollback()
        await insert_raw(writer, "kept")
        seen, _ = await read_everything(store, Cursor())
        assert seen == ["kept"]
    finally:
        await writer.close()
