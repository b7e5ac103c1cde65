"""The `rinnalla` command as an operator uses it, against a small service defined here."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import asyncpg
import jwt
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from rinnalla_cli.context import CliState
from rinnalla_cli.main import app
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.logging import reset_logging
from rinnalla_runtime.service import ProgressCallback, ServiceSpec
from rinnalla_runtime.settings import RuntimeSettings
from typer.testing import CliRunner, Result


class MentorAssigned(BaseModel):
    event_type: ClassVar[str] = "mentor.assigned"
    schema_version: ClassVar[int] = 2
    team_id: str
    mentor_id: str


class TeamFounded(BaseModel):
    event_type: ClassVar[str] = "team.founded"
    team_id: str
    municipality: str


class Untyped(BaseModel):
    team_id: str


async def migrate(settings: RuntimeSettings) -> None:
    conn = await asyncpg.connect(settings.require_database_dsn())
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS teams_migrated (id int)")
    finally:
        await conn.close()


async def run_worker(settings: RuntimeSettings, stop: asyncio.Event) -> None:
    await stop.wait()


async def rebuild(settings: RuntimeSettings, name: str, on_progress: ProgressCallback) -> None:
    for done in range(0, 1001, 250):
        on_progress(done, 1000)
        await asyncio.sleep(0)


async def lag(settings: RuntimeSettings) -> dict[str, int]:
    return {"team_roster": 0, "mentor_history": 42}


def teams_spec(events: Sequence[type[BaseModel]] = (MentorAssigned, TeamFounded)) -> ServiceSpec:
    return ServiceSpec(
        name="teams",
        default_port=8011,
        create_app=lambda settings: FastAPI(),
        run_worker=run_worker,
        migrate=migrate,
        rebuild_projection=rebuild,
        projection_lag=lag,
        projection_names=("team_roster", "mentor_history"),
        event_classes=events,
    )


@pytest.fixture(autouse=True)
def no_handler_left_on_closed_streams() -> Iterator[None]:
    yield
    reset_logging()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("DATABASE_URL", "NATS_URL", "RINNALLA_DATA_DIR", "RINNALLA_AUTH_DEV_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def invoke(
    runner: CliRunner, *args: str, specs: Sequence[ServiceSpec] = (), env: dict[str, str] | None = None
) -> Result:
    return runner.invoke(app, list(args), obj=CliState(specs=list(specs) or [teams_spec()]), env=env)


def test_schemas_export_writes_the_envelope_each_event_version_and_the_asyncapi_document(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = invoke(runner, "schemas", "export", "--output", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "envelope.json", "mentor.assigned.v2.json", "team.founded.v1.json", "teams.asyncapi.json",
    ]
    schema = json.loads((tmp_path / "mentor.assigned.v2.json").read_text())
    assert schema["x-event-type"] == "mentor.assigned"
    assert schema["x-schema-version"] == 2
    assert schema["x-publishers"] == ["teams"]
    assert schema["required"] == ["team_id", "mentor_id"]
    assert "4 files" in result.output


def test_schemas_check_passes_when_files_match_the_code(runner: CliRunner, tmp_path: Path) -> None:
    invoke(runner, "schemas", "export", "--output", str(tmp_path))

    result = invoke(runner, "schemas", "export", "--check", "--output", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "match the code" in result.output


def test_schemas_check_fails_on_edited_missing_or_stale_files(runner: CliRunner, tmp_path: Path) -> None:
    invoke(runner, "schemas", "export", "--output", str(tmp_path))
    (tmp_path / "team.founded.v1.json").write_text("{}\n")
    (tmp_path / "mentor.assigned.v2.json").unlink()
    (tmp_path / "team.disbanded.v1.json").write_text("{}\n")

    result = invoke(runner, "schemas", "export", "--check", "--output", str(tmp_path))

    assert result.exit_code == 1
    assert "changed" in result.output and "team.founded.v1.json" in result.output
    assert "missing" in result.output and "mentor.assigned.v2.json" in result.output
    assert "stale" in result.output and "team.disbanded.v1.json" in result.output
    assert (tmp_path / "team.disbanded.v1.json").exists(), "--check must change nothing"

    assert invoke(runner, "schemas", "export", "--output", str(tmp_path)).exit_code == 0
    assert not (tmp_path / "team.disbanded.v1.json").exists()
    assert invoke(runner, "schemas", "export", "--check", "--output", str(tmp_path)).exit_code == 0


def test_older_schema_versions_stay_as_published(runner: CliRunner, tmp_path: Path) -> None:
    invoke(runner, "schemas", "export", "--output", str(tmp_path))
    (tmp_path / "mentor.assigned.v1.json").write_text('{"x-schema-version": 1}\n')

    assert invoke(runner, "schemas", "export", "--check", "--output", str(tmp_path)).exit_code == 0
    assert invoke(runner, "schemas", "export", "--output", str(tmp_path)).exit_code == 0
    assert (tmp_path / "mentor.assigned.v1.json").read_text() == '{"x-schema-version": 1}\n'


def test_an_event_class_without_an_event_type_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "schemas", "export", "--output", str(tmp_path), specs=[teams_spec([Untyped])])
    assert result.exit_code == 1
    assert "event_type" in result.output


@pytest.mark.integration
def test_migrate_uses_database_url(runner: CliRunner, database_url: str, nats_url: str) -> None:
    result = invoke(runner, "migrate", env={"DATABASE_URL": database_url, "NATS_URL": nats_url})

    assert result.exit_code == 0, result.output
    assert "teams: schema is up to date" in result.output
    assert asyncio.run(table_exists(database_url))


async def table_exists(database_url: str) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        return bool(await conn.fetchval("SELECT to_regclass('teams_migrated') IS NOT NULL"))
    finally:
        await conn.close()


def test_migrate_refuses_an_unknown_service(runner: CliRunner) -> None:
    result = invoke(runner, "migrate", "--service", "nope")
    assert result.exit_code == 2
    assert "no service named 'nope'" in result.output


@pytest.fixture
def data_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="rinnalla-cli-test-"))
    yield root / "var"
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.integration
def test_without_database_url_a_command_uses_the_data_directory_servers(runner: CliRunner, data_dir: Path) -> None:
    env = {
        "RINNALLA_EMBEDDED_POSTGRES_PORT": str(free_port()),
        "RINNALLA_EMBEDDED_NATS_PORT": str(free_port()),
    }
    result = invoke(runner, "--data-dir", str(data_dir), "migrate", env=env)

    assert result.exit_code == 0, result.output
    assert (data_dir / "postgres" / "pgdata" / "PG_VERSION").exists()
    assert not (data_dir / "postgres" / "pgdata" / "postmaster.pid").exists(), "the servers are stopped again"
    assert (data_dir / "master.key").exists()


@pytest.mark.integration
def test_projections_lag_shows_a_table(runner: CliRunner, database_url: str, nats_url: str) -> None:
    result = invoke(runner, "projections", "lag", env={"DATABASE_URL": database_url, "NATS_URL": nats_url})

    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "teams" in line]
    assert any("mentor_history" in row and "42" in row for row in rows)
    assert any("team_roster" in row and "0" in row for row in rows)


@pytest.mark.integration
def test_projections_rebuild_reports_progress(runner: CliRunner, database_url: str, nats_url: str) -> None:
    result = invoke(
        runner,
        "projections",
        "rebuild",
        "teams",
        "team_roster",
        env={"DATABASE_URL": database_url, "NATS_URL": nats_url},
    )

    assert result.exit_code == 0, result.output
    assert "1000/1000" in result.output
    assert "teams.team_roster: rebuilt from 1,000 events" in result.output


def test_projections_rebuild_refuses_an_unknown_projection(runner: CliRunner) -> None:
    result = invoke(runner, "projections", "rebuild", "teams", "nope")
    assert result.exit_code == 2
    assert "known: team_roster, mentor_history" in result.output


def test_token_mint_prints_a_signed_token_for_a_demo_user(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "--data-dir", str(tmp_path), "token", "mint", "--user", "mentor.vantaa", "--hours", "1")

    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    assert claims["roles"] == ["mentor"]
    assert claims["exp"] - claims["iat"] == 3600
    assert header["alg"] == "ES256"
    assert any((tmp_path / "dev-keys").iterdir()), "the signing key lives in the data directory"


def test_token_mint_refuses_an_unknown_user(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "--data-dir", str(tmp_path), "token", "mint", "--user", "nobody")
    assert result.exit_code == 2
    assert "mentor.vantaa" in result.output


def test_token_users_lists_the_demo_users(runner: CliRunner) -> None:
    result = invoke(runner, "token", "users")
    assert result.exit_code == 0
    assert "mentor.vantaa" in result.output


def test_services_lists_the_installed_services(runner: CliRunner) -> None:
    result = invoke(runner, "services")
    assert result.exit_code == 0
    assert "teams" in result.output
    assert "127.0.0.1:8011" in result.output
