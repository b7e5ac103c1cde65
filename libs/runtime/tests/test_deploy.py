"""The deployment configs in deploy/ do what they say, checked against real servers where one is at hand."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import yaml  # type: ignore[import-untyped]
from rinnalla_runtime.settings import RuntimeSettings

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
SERVICES = ("enrollment", "caselog", "network", "billing")


def psql_15_or_newer() -> str | None:
    found = shutil.which("psql")
    if not found:
        return None
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)\.", version)
    return found if match and int(match.group(1)) >= 15 else None


def as_role(database_url: str, role: str, password: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}"))


@pytest.fixture
async def roles_database(database_url: str) -> AsyncIterator[str]:
    """A database set up by deploy/postgres/initdb.d/10-roles.sql (run twice: it must be idempotent)."""
    psql = psql_15_or_newer()
    if psql is None:
        pytest.skip("psql 15 or newer is not installed")
    passwords = {f"{service.upper()}_DB_PASSWORD": f"pg-{service}" for service in SERVICES}
    passwords["GRAFANA_READER_PASSWORD"] = "pg-grafana"
    script = DEPLOY / "postgres" / "initdb.d" / "10-roles.sql"
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-f", str(script),
            env={**os.environ, **passwords},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, errors = await process.communicate()
        assert process.returncode == 0, errors.decode()
    yield database_url
    admin = await asyncpg.connect(database_url)
    try:
        for role in [*(f"{service}_owner" for service in SERVICES), "grafana_reader", "rinnalla_audit_owner"]:
            await admin.execute(f"DROP OWNED BY {role} CASCADE")
            await admin.execute(f"DROP ROLE {role}")
    finally:
        await admin.close()


async def refused(url: str, sql: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    except asyncpg.PostgresError as error:
        return type(error).__name__
    finally:
        await conn.close()
    return "allowed"


@pytest.mark.integration
async def test_postgres_roles_keep_services_apart_and_grafana_read_only(roles_database: str) -> None:
    enrollment = as_role(roles_database, "enrollment_owner", "pg-enrollment")
    grafana = as_role(roles_database, "grafana_reader", "pg-grafana")
    caselog = as_role(roles_database, "caselog_owner", "pg-caselog")
    owner = await asyncpg.connect(enrollment)
    try:
        await owner.execute("CREATE TABLE events (id int)")  # lands in its own schema via search_path
        await owner.execute("CREATE TABLE enrollment_read.roster (child text)")
        await owner.execute("INSERT INTO enrollment_read.roster VALUES ('child-1')")
    finally:
        await owner.close()

    # Grafana reads only what a migration grants it by name: not a read-model table with names in it.
    assert await refused(grafana, "SELECT * FROM roster") == "InsufficientPrivilegeError"
    owner = await asyncpg.connect(enrollment)
    try:
        await owner.execute("CREATE VIEW enrollment_read.v_size AS SELECT count(*) AS children FROM roster")
        await owner.execute("GRANT SELECT ON enrollment_read.v_size TO grafana_reader")
    finally:
        await owner.close()
    reader = await asyncpg.connect(grafana)
    try:
        assert await reader.fetchval("SELECT children FROM v_size") == 1
    finally:
        await reader.close()
    assert await refused(grafana, "SELECT * FROM enrollment.events") == "InsufficientPrivilegeError"
    assert await refused(grafana, "CREATE TEMP TABLE x (a int)") == "ReadOnlySQLTransactionError"
    assert await refused(caselog, "SELECT * FROM enrollment.events") == "InsufficientPrivilegeError"
    assert await refused(enrollment, "CREATE SCHEMA elsewhere") == "InsufficientPrivilegeError"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def test_compose_uses_only_documented_variables_and_the_default_ports() -> None:
    documented = (REPO / "docs" / "configuration.md").read_text()
    defaults = RuntimeSettings()
    services = compose()["services"]
    for service in SERVICES:
        api = services[f"{service}-api"]
        assert api["command"] == ["run", "api", service]
        port = getattr(defaults, f"{service}_port")
        assert api["ports"] == [f"{port}:{port}"]
        assert services[f"{service}-worker"]["command"] == ["run", "worker", service]
        assert services[f"{service}-migrate"]["command"] == ["migrate", "--service", service]
        for name in api["environment"]:
            if name.startswith(("RINNALLA_", "DATABASE_", "NATS_URL", "OTEL_")):
                assert f"`{name}`" in documented, f"{name} is not in docs/configuration.md"
