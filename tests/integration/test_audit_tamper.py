"""The access log cannot be rewritten unnoticed: the chain is keyed, and its head is anchored outside the
database in signed checkpoints on NATS. Someone with full control of the database (here: the superuser,
who can switch the append-only triggers off) deletes the tail, changes a row and re-chains the rest (with
and without the chain key), or empties the table; `/v1/audit/verify` and `rinnalla audit verify` say so.

Enrollment runs as the stack runs it (migrations, the API over an in-process transport, the worker's
checkpoint publisher, the CLI), against real PostgreSQL and NATS.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from rinnalla_cli.context import CliState
from rinnalla_cli.main import app as cli_app
from rinnalla_enrollment.bootstrap import Enrollment, open_enrollment
from rinnalla_enrollment.main import create_app, migrate, run_worker, service
from rinnalla_events import new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import (
    AccessEntry,
    AuthSettings,
    Checkpoint,
    derive_chain_key,
    mint_dev_token,
    new_signing_key,
    public_key_text,
    sign_checkpoint,
)
from rinnalla_security.audit.chain import chain_hash, keyed_chain_hash
from rinnalla_service.audit_checkpoints import audit_keys
from typer.testing import CliRunner

pytestmark = pytest.mark.integration

COLUMNS = (
    "seq, occurred_at, service, request_id, actor_id, actor_name, actor_roles, actor_organisation, tenants, "
    "subject_id, subject_kind, purpose, action, access_kind, endpoint, client_kind, prev_hash, row_hash"
)
WAIT_ROUNDS = 600  # x 0.05 s: a bound on waiting for the worker, not a speed requirement


@dataclass
class Stack:
    settings: RuntimeSettings
    database_url: str
    http: httpx.AsyncClient
    key_dir: Path
    enrollment: Enrollment

    async def verify(self) -> dict[str, Any]:
        token = mint_dev_token("dpo.vantaa", key_dir=self.key_dir)
        response = await self.http.get("/v1/audit/verify", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return {report["log"]: report for report in response.json()}

    async def record(self, count: int) -> None:
        for i in range(count):
            await self.enrollment.runtime.audit_log.record_accesses([access(f"child-092-{i:04d}")])

    async def checkpoint(self) -> None:
        """What `rinnalla audit checkpoint` and the worker do."""
        await service().audit_checkpoint(self.settings)

    def cli(self, *args: str) -> tuple[int, str]:
        state = CliState(
            specs=[service().spec()],
            overrides={
                "database_url": self.database_url,
                "nats_url": self.settings.nats_url,
                "master_key": self.settings.master_key,
                "data_dir": self.settings.data_dir,
            },
        )
        result = CliRunner().invoke(cli_app, list(args), obj=state)
        return result.exit_code, result.output

    async def tamper(self, *statements: str) -> None:
        """As the database's superuser: switch the append-only triggers off, rewrite, switch them on."""
        conn = await asyncpg.connect(self.database_url)
        try:
            async with conn.transaction():
                await conn.execute("ALTER TABLE audit.access_log DISABLE TRIGGER USER")
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute("ALTER TABLE audit.access_log ENABLE TRIGGER USER")
        finally:
            await conn.close()

    async def rows(self) -> list[dict[str, Any]]:
        conn = await asyncpg.connect(self.database_url)
        try:
            records = await conn.fetch(f"SELECT {COLUMNS}, chain_format FROM audit.access_log ORDER BY seq")
        finally:
            await conn.close()
        return [dict(record) for record in records]


def access(subject: str) -> AccessEntry:
    return AccessEntry(
        request_id="r-1", actor_id="user-mentor.vantaa", actor_name="Mikko Mentori", actor_roles=("mentor",),
        actor_organisation="org-icehearts", tenants=("092",), subject_id=subject, purpose="programme_delivery",
        action="team_roster.read", access_kind="read", endpoint="GET /v1/mentor/teams",
    )  # fmt: skip


@pytest.fixture
async def stack(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stack]:
    monkeypatch.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
    settings = RuntimeSettings(
        database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
    )
    await migrate(settings)
    key_dir = tmp_path / "dev-keys"
    async with open_enrollment(settings) as enrollment:
        app = create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://enrollment.test") as http:
            yield Stack(settings, database_url, http, key_dir, enrollment)


def kinds(report: dict[str, Any]) -> set[str]:
    return {problem["kind"] for problem in report["problems"]}


async def test_an_untouched_log_verifies_against_its_checkpoints(stack: Stack) -> None:
    await stack.record(3)
    await stack.checkpoint()
    await stack.record(2)
    await stack.checkpoint()

    access_log = (await stack.verify())["access"]

    assert access_log["ok"] and access_log["anchored"]
    assert (access_log["rows_checked"], access_log["checkpoints_checked"]) == (5, 2)
    assert [row["chain_format"] for row in await stack.rows()] == [2] * 5  # keyed
    code, output = await asyncio.to_thread(stack.cli, "audit", "verify", "--service", "enrollment")
    assert code == 0, output


async def test_a_deleted_tail_is_reported(stack: Stack) -> None:
    await stack.record(5)
    await stack.checkpoint()

    await stack.tamper("DELETE FROM audit.access_log WHERE seq >= 4")

    access_log = (await stack.verify())["access"]
    assert not access_log["ok"]
    assert kinds(access_log) == {"anchor_mismatch"}
    assert "deleted from the end" in access_log["problems"][0]["detail"]
    code, output = await asyncio.to_thread(stack.cli, "audit", "verify", "--service", "enrollment")
    assert code == 1
    assert "anchor_mismatch" in output


async def test_an_emptied_log_is_reported(stack: Stack) -> None:
    await stack.record(3)
    await stack.checkpoint()

    await stack.tamper("TRUNCATE audit.access_log")

    access_log = (await stack.verify())["access"]
    assert access_log["rows_checked"] == 0
    assert kinds(access_log) == {"anchor_mismatch"}
    code, _ = await asyncio.to_thread(stack.cli, "audit", "verify", "--service", "enrollment")
    assert code == 1


def _rechained(rows: list[dict[str, Any]], change_seq: int, hasher: Callable[[str, dict[str, Any]], str]) -> list[str]:
    """UPDATE statements that change one row's purpose and recompute every hash from there on."""
    statements = []
    prev_hash = rows[change_seq - 2]["row_hash"] if change_seq > 1 else "0" * 64
    for row in rows[change_seq - 1 :]:
        if row["seq"] == change_seq:
            row["purpose"] = "curiosity"
        row["prev_hash"] = prev_hash
        row["row_hash"] = hasher(prev_hash, row)
        statements.append(
            f"UPDATE audit.access_log SET purpose = '{row['purpose']}', prev_hash = '{row['prev_hash']}', "
            f"row_hash = '{row['row_hash']}' WHERE seq = {row['seq']}"
        )
        prev_hash = row["row_hash"]
    return statements


async def test_a_changed_row_rechained_without_the_key_is_reported(stack: Stack) -> None:
    """What passed before the chain was keyed: change a row, recompute plain SHA-256 hashes onwards."""
    await stack.record(5)

    await stack.tamper(*_rechained(await stack.rows(), 2, chain_hash))

    access_log = (await stack.verify())["access"]
    assert not access_log["ok"]
    assert {(problem["seq"], problem["kind"]) for problem in access_log["problems"]} == {
        (seq, "modified") for seq in range(2, 6)
    }
    code, output = await asyncio.to_thread(stack.cli, "audit", "verify", "--service", "enrollment")
    assert code == 1
    assert "modified" in output


async def test_a_changed_row_rechained_with_the_key_contradicts_a_checkpoint(stack: Stack) -> None:
    """Whoever holds the chain key can make every row consistent again; the signed head outside the
    database still differs."""
    await stack.record(5)
    await stack.checkpoint()
    key = derive_chain_key(stack.settings.require_master_key())

    await stack.tamper(*_rechained(await stack.rows(), 3, lambda prev, row: keyed_chain_hash(key, prev, row)))

    access_log = (await stack.verify())["access"]
    assert [(problem["seq"], problem["kind"]) for problem in access_log["problems"]] == [(5, "anchor_mismatch")]
    code, _ = await asyncio.to_thread(stack.cli, "audit", "verify", "--service", "enrollment")
    assert code == 1


async def test_a_checkpoint_signed_by_an_unknown_key_is_reported(stack: Stack) -> None:
    await stack.record(2)
    await stack.checkpoint()
    forged = Checkpoint("access", 1, "f" * 64, "enrollment", datetime.now(UTC))
    client = await nats.connect(stack.settings.require_nats_url())
    try:
        subject = f"{stack.enrollment.runtime.subjects.prefix}.audit.enrollment.checkpoint.access"
        await client.jetstream().publish(subject, sign_checkpoint(forged, new_signing_key()))
    finally:
        await client.close()

    access_log = (await stack.verify())["access"]

    assert kinds(access_log) == {"bad_checkpoint"}
    assert "does not trust" in access_log["problems"][0]["detail"]
    assert access_log["checkpoints_checked"] == 1  # the forged head was not used as an anchor


async def test_the_worker_publishes_checkpoints(stack: Stack) -> None:
    await stack.record(4)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(stack.settings, stop))
    try:
        await eventually(lambda: _checkpoints(stack), "a checkpoint of the access log")
    finally:
        stop.set()
        await worker
    await stack.tamper("DELETE FROM audit.access_log WHERE seq = 4")

    assert kinds((await stack.verify())["access"]) == {"anchor_mismatch"}


async def _checkpoints(stack: Stack) -> bool:
    source = stack.enrollment.runtime.chain_anchors()
    assert source is not None
    return bool((await source.anchors()).for_log("access"))


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(WAIT_ROUNDS):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def test_the_cli_makes_a_signing_key_and_its_public_key() -> None:
    result = CliRunner().invoke(cli_app, ["audit", "keygen"])

    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.split())
    assert set(lines) == {"RINNALLA_AUDIT_SIGNING_KEY", "RINNALLA_AUDIT_VERIFY_KEYS"}
    keys = audit_keys(
        RuntimeSettings(
            master_key=new_master_key(),
            audit_signing_key=lines["RINNALLA_AUDIT_SIGNING_KEY"],
            audit_verify_keys=lines["RINNALLA_AUDIT_VERIFY_KEYS"],
        )
    )
    assert keys is not None
    assert [public_key_text(key) for key in keys.verify_keys] == [public_key_text(keys.signing_key)]
