"""Alembic upgrades from a service package's revision directory, against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from rinnalla_runtime.migrations import current_revisions, upgrade_database

pytestmark = pytest.mark.integration

FIRST = '''
"""create the mentors table"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("mentors", sa.Column("id", sa.Integer, primary_key=True), schema="demo")


def downgrade() -> None:
    op.drop_table("mentors", schema="demo")
'''

SECOND = '''
"""mentors get a name"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mentors", sa.Column("name", sa.Text, nullable=False, server_default="?"), schema="demo")


def downgrade() -> None:
    op.drop_column("mentors", "name", schema="demo")
'''

BROKEN = '''
"""a revision that fails half-way"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("teams", sa.Column("id", sa.Integer, primary_key=True), schema="demo")
    op.execute("SELECT no_such_function()")


def downgrade() -> None:
    pass
'''


def write_revisions(root: Path, *bodies: str) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    for number, body in enumerate(bodies, start=1):
        (versions / f"{number:04d}_revision.py").write_text(body)
    return root / "migrations"


async def columns(database_url: str, table: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'demo' AND table_name = $1"
            " ORDER BY ordinal_position",
            table,
        )
    finally:
        await conn.close()
    return [row["column_name"] for row in rows]


async def test_upgrade_creates_the_schema_and_applies_revisions_in_order(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST, SECOND)

    applied = await upgrade_database(location, database_url, version_table_schema="demo")

    assert applied == ["0001", "0002"]
    assert await columns(database_url, "mentors") == ["id", "name"]
    assert await current_revisions(database_url, version_table_schema="demo") == ("0002",)


async def test_a_second_upgrade_does_nothing(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST)
    await upgrade_database(
        location, database_url.replace("postgresql://", "postgresql+asyncpg://"), version_table_schema="demo"
    )

    assert await upgrade_database(location, database_url, version_table_schema="demo") == []
    write_revisions(tmp_path, FIRST, SECOND)
    assert await upgrade_database(location, database_url, version_table_schema="demo") == ["0002"]


UPGRADE_IN_A_PROCESS = """
import asyncio, json, sys
from rinnalla_runtime.migrations import upgrade_database
print(json.dumps(asyncio.run(upgrade_database(sys.argv[1], sys.argv[2], version_table_schema="demo"))))
"""


async def upgrade_in_subprocess(location: Path, database_url: str) -> list[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", UPGRADE_IN_A_PROCESS, str(location), database_url, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    applied: list[str] = json.loads(out.decode().strip().splitlines()[-1])
    return applied


async def test_concurrent_upgrades_in_one_process_take_turns(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST, SECOND)

    results = await asyncio.gather(
        *(upgrade_database(location, database_url, version_table_schema="demo") for _ in range(3))
    )

    assert sorted(results) == [[], [], ["0001", "0002"]]


async def test_concurrent_upgrades_from_several_processes_take_turns(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST, SECOND)

    results = await asyncio.gather(*(upgrade_in_subprocess(location, database_url) for _ in range(2)))

    assert sorted(results) == [[], ["0001", "0002"]]
    assert await current_revisions(database_url, version_table_schema="demo") == ("0002",)


async def test_a_failing_revision_leaves_the_database_as_it_was(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST, SECOND)
    await upgrade_database(location, database_url, version_table_schema="demo")
    write_revisions(tmp_path, FIRST, SECOND, BROKEN)

    with pytest.raises(Exception, match="no_such_function"):
        await upgrade_database(location, database_url, version_table_schema="demo")

    assert await columns(database_url, "teams") == []
    assert await current_revisions(database_url, version_table_schema="demo") == ("0002",)


async def test_each_schema_keeps_its_own_history(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST)
    await upgrade_database(location, database_url, version_table_schema="demo")

    assert await current_revisions(database_url, version_table_schema="other") == ()


async def test_unsafe_schema_names_are_refused(tmp_path: Path, database_url: str) -> None:
    location = write_revisions(tmp_path, FIRST)
    with pytest.raises(ValueError, match="lower-case SQL identifier"):
        await upgrade_database(location, database_url, version_table_schema='demo"; DROP TABLE x; --')


async def test_a_missing_versions_directory_is_reported(tmp_path: Path, database_url: str) -> None:
    with pytest.raises(FileNotFoundError, match="versions"):
        await upgrade_database(tmp_path / "nowhere", database_url, version_table_schema="demo")


async def test_an_owner_role_without_create_on_the_database_can_migrate_its_schema(
    tmp_path: Path, database_url: str
) -> None:
    """Production gives each service a role that owns its schema but may not create schemas."""
    role = f"owner_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url)
    try:
        database = await admin.fetchval("SELECT current_database()")
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'owner-secret'")
        await admin.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        await admin.execute(f"CREATE SCHEMA demo AUTHORIZATION {role}")
        location = write_revisions(tmp_path, FIRST, SECOND)
        parts = urlsplit(database_url)
        as_owner = urlunsplit(parts._replace(netloc=f"{role}:owner-secret@{parts.hostname}:{parts.port}"))

        assert await upgrade_database(location, as_owner, version_table_schema="demo") == ["0001", "0002"]
    finally:
        await admin.execute("DROP SCHEMA IF EXISTS demo CASCADE")
        await admin.execute(f'REVOKE ALL ON DATABASE "{database}" FROM {role}')
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()
