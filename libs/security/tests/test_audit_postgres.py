"""The access and disclosure logs in real PostgreSQL: append-only, one unbroken chain under concurrency,
and tampering by someone who can bypass the append-only triggers is detected."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from rinnalla_security import (
    AUDIT_DDL,
    AccessEntry,
    DisclosureEntry,
    PostgresAuditLog,
    StoredAccess,
    install_audit_schema,
)
from rinnalla_security.audit.chain import chain_hash

pytestmark = pytest.mark.integration

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def entry(subject: str = "child-092-0001", **changes: Any) -> AccessEntry:
    values: dict[str, Any] = {
        "request_id": "req-1", "actor_id": "user-mentor.vantaa", "actor_name": "Aino Mentor",
        "actor_roles": ("mentor",), "actor_organisation": "org-icehearts", "tenants": ("092",),
        "subject_id": subject, "purpose": "programme_delivery", "action": "child.read", "access_kind": "read",
        "endpoint": "GET /v1/children/{child_id}",
    }
    return AccessEntry.model_validate({**values, **changes})


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Any]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=10)
    async with pool.acquire() as conn:
        await install_audit_schema(conn)
    yield pool
    await pool.close()


@pytest.fixture
def audit(pool: Any) -> PostgresAuditLog:
    return PostgresAuditLog(pool, service="enrollment")


async def test_the_schema_installs_idempotently_even_concurrently(database_url: str) -> None:
    connections = [await asyncpg.connect(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(install_audit_schema(conn) for conn in connections))
        await install_audit_schema(connections[0])
        tables = await connections[0].fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'audit' ORDER BY 1"
        )
    finally:
        for conn in connections:
            await conn.close()
    assert [t["table_name"] for t in tables] == ["access_log", "disclosure_log"]
    assert all(isinstance(statement, str) for statement in AUDIT_DDL)


async def test_appended_entries_read_back_in_order_with_their_chain(audit: PostgresAuditLog) -> None:
    stored = await audit.record_accesses([entry(), entry(action="child.goals.read"), entry("child-092-0002")])

    history = await audit.accesses_for_subject("child-092-0001", since=LONG_AGO)

    assert [row.seq for row in stored] == [1, 2, 3]
    assert history == stored[:2]
    assert history[0].service == "enrollment"
    assert history[1].prev_hash == history[0].row_hash
    assert (await audit.verify("access")).ok


async def test_concurrent_writers_keep_one_unbroken_chain(audit: PostgresAuditLog, pool: Any) -> None:
    async def writer(number: int) -> None:
        for i in range(20):
            await audit.record_accesses([entry(f"child-{number}-{i}", request_id=f"w{number}-{i}")])

    await asyncio.gather(*(writer(n) for n in range(8)))

    report = await audit.verify("access")
    assert report.ok, report.problems
    assert report.rows_checked == 160
    async with pool.acquire() as conn:
        links = await conn.fetch("SELECT seq, prev_hash FROM audit.access_log ORDER BY seq")
    assert [row["seq"] for row in links] == list(range(1, 161))
    assert len({row["prev_hash"] for row in links}) == 160  # no two rows claim the same predecessor


async def test_the_log_refuses_update_delete_and_truncate(audit: PostgresAuditLog, pool: Any) -> None:
    await audit.record_accesses([entry()])

    async with pool.acquire() as conn:
        for statement in (
            "UPDATE audit.access_log SET purpose = 'curiosity'",
            "DELETE FROM audit.access_log",
            "TRUNCATE audit.access_log",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement)
    assert (await audit.verify("access")).ok


async def _as_intruder(pool: Any, statement: str) -> None:
    """What a database administrator could do: switch the append-only trigger off and rewrite history."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE audit.access_log DISABLE TRIGGER access_log_append_only")
        await conn.execute(statement)
        await conn.execute("ALTER TABLE audit.access_log ENABLE TRIGGER access_log_append_only")


async def test_an_updated_row_is_detected(audit: PostgresAuditLog, pool: Any) -> None:
    await audit.record_accesses([entry(f"child-{i}") for i in range(5)])

    await _as_intruder(pool, "UPDATE audit.access_log SET actor_id = 'user-someone-else' WHERE seq = 2")

    report = await audit.verify("access")
    assert [(p.seq, p.kind) for p in report.problems] == [(2, "modified")]


async def test_a_deleted_row_is_detected(audit: PostgresAuditLog, pool: Any) -> None:
    await audit.record_accesses([entry(f"child-{i}") for i in range(5)])

    await _as_intruder(pool, "DELETE FROM audit.access_log WHERE seq = 3")

    report = await audit.verify("access")
    assert {(p.seq, p.kind) for p in report.problems} == {(4, "missing"), (4, "broken_link")}


async def test_a_deleted_tail_is_detected_against_a_recorded_head(audit: PostgresAuditLog, pool: Any) -> None:
    await audit.record_accesses([entry(f"child-{i}") for i in range(5)])
    anchor = await audit.head("access")
    assert anchor is not None

    await _as_intruder(pool, "DELETE FROM audit.access_log WHERE seq >= 4")

    assert not (await audit.verify("access", anchor=anchor)).ok


async def test_an_entry_in_the_callers_transaction_rolls_back_with_it(audit: PostgresAuditLog, pool: Any) -> None:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await audit.record_accesses([entry()], conn=conn)
        await transaction.rollback()  # the data change it described failed

    assert await audit.accesses_for_subject("child-092-0001", since=LONG_AGO) == []
    [stored] = await audit.record_accesses([entry()])
    assert stored.seq == 1


async def test_history_filters_by_period_tenant_and_actor(audit: PostgresAuditLog) -> None:
    await audit.record_accesses([entry(tenants=("092",)), entry(tenants=("109",), actor_id="user-other")])
    after_first = datetime.now(UTC) + timedelta(days=1)

    assert len(await audit.accesses_for_subject("child-092-0001", since=LONG_AGO, tenants={"109"})) == 1
    assert await audit.accesses_for_subject("child-092-0001", since=after_first) == []
    assert [r.actor_id for r in await audit.accesses_by_actor("user-other", since=LONG_AGO)] == ["user-other"]


async def test_disclosures_have_their_own_chain(audit: PostgresAuditLog) -> None:
    disclosure = DisclosureEntry(
        request_id="r", actor_id="user-mentor.vantaa", subject_id="child-092-0001", purpose="network_meeting",
        recipient_organisation="org-county-vantaa-kerava", disclosed="participation status", consent_id="c-1",
    )
    await audit.record_accesses([entry()])
    await audit.record_disclosures([disclosure, disclosure])

    [first, second] = await audit.disclosures_for_subject("child-092-0001", since=LONG_AGO)
    assert (first.seq, second.seq) == (1, 2)
    assert first.consent_id == "c-1"
    assert (await audit.verify("disclosure")).ok


async def test_rows_from_before_the_chain_key_still_verify_after_the_upgrade(pool: Any) -> None:
    """A log from an older release: its table has no `chain_format` and its rows are plain SHA-256. The
    upgrade adds the column (those rows are format 1), new rows are keyed, and the whole chain verifies."""
    async with pool.acquire() as conn:
        await conn.execute("ALTER TABLE audit.access_log DROP COLUMN chain_format")
    old = PostgresAuditLog(pool, service="enrollment")
    columns = [name for name in StoredAccess.model_fields]
    prev_hash, now = "0" * 64, datetime.now(UTC)
    async with pool.acquire() as conn:
        for seq in (1, 2, 3):  # what the older release wrote
            content = {"seq": seq, "occurred_at": now, "service": "enrollment", **entry(f"child-{seq}").model_dump()}
            row_hash = chain_hash(prev_hash, content)
            values = {**content, "prev_hash": prev_hash, "row_hash": row_hash}
            await conn.execute(
                f"INSERT INTO audit.access_log ({', '.join(columns)})"
                f" VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))})",
                *[list(values[c]) if isinstance(values[c], tuple) else values[c] for c in columns],
            )
            prev_hash = row_hash
        await install_audit_schema(conn)  # the upgrade
    keyed = PostgresAuditLog(pool, service="enrollment", chain_key=bytes(range(32)))

    await keyed.record_accesses([entry("child-4"), entry("child-5")])

    report = await keyed.verify("access")
    assert report.ok and report.rows_checked == 5
    async with pool.acquire() as conn:
        formats = await conn.fetch("SELECT chain_format FROM audit.access_log ORDER BY seq")
    assert [row["chain_format"] for row in formats] == [1, 1, 1, 2, 2]
    without_key = [(p.seq, p.kind) for p in (await old.verify("access")).problems]
    assert without_key == [(4, "unverifiable"), (5, "unverifiable")]
