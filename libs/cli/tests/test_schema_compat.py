"""The schema evolution rules: which changes to a published schema need a new schema version."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rinnalla_cli.context import CliState
from rinnalla_cli.main import app
from rinnalla_cli.schema_compat import compare_schema_sets, schema_changes
from typer.testing import CliRunner

BASE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "x-schema-version": 1,
    "type": "object",
    "title": "TeamFounded",
    "properties": {
        "team_id": {"type": "string", "title": "Team Id"},
        "sport": {"type": "string", "enum": ["football", "floorball"]},
        "members": {"type": "array", "items": {"$ref": "#/$defs/Member"}},
    },
    "required": ["team_id", "sport"],
    "$defs": {"Member": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
}


def changed(edit: Any) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(BASE))
    edit(schema)
    return schema


def reasons(new: dict[str, Any]) -> list[str]:
    return [reason for _, reason in schema_changes(BASE, new)]


def test_an_identical_schema_is_compatible() -> None:
    assert reasons(changed(lambda s: None)) == []


def test_an_optional_field_and_new_annotations_are_compatible() -> None:
    def edit(schema: dict[str, Any]) -> None:
        schema["properties"]["area"] = {"type": "string", "default": ""}
        schema["properties"]["team_id"]["description"] = "The team's id."
        schema["title"] = "Team founded"
        schema["$defs"]["Member"]["properties"]["phone"] = {"type": "string"}
        schema["$defs"]["School"] = {"type": "object"}

    assert reasons(changed(edit)) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s["properties"].pop("sport"), "removed field `sport`"),
        (lambda s: s["$defs"]["Member"]["properties"].pop("name"), "removed field `name`"),
        (lambda s: (s["properties"].update(area={"type": "string"}), s["required"].append("area")),
         "newly required field `area`"),
        (lambda s: s["required"].remove("sport"), "field `sport` is no longer required"),
        (lambda s: s["properties"]["team_id"].update(type="integer"), 'changed type from "string" to "integer"'),
        (lambda s: s["properties"]["sport"].update(enum=["football"]), 'narrowed enum: removed ["floorball"]'),
        (lambda s: s["properties"]["sport"]["enum"].append("judo"), 'widened enum: added ["judo"]'),
        (lambda s: s["properties"]["team_id"].update(maxLength=10), "`maxLength` was added"),
        (lambda s: s["properties"]["team_id"].update(format="uuid"), "`format` was added"),
        (lambda s: s["properties"]["members"]["items"].update({"$ref": "#/$defs/Other"}),
         'changed from "#/$defs/Member" to "#/$defs/Other"'),
        (lambda s: s["$defs"].pop("Member"), "removed definition `Member`"),
    ],
    ids=["removed", "removed-nested", "newly-required", "no-longer-required", "type", "narrowed-enum",
         "widened-enum", "new-constraint", "new-format", "changed-ref", "removed-definition"],
)
def test_other_changes_need_a_new_version(edit: Any, expected: str) -> None:
    assert expected in reasons(changed(edit))


def test_a_new_version_is_a_new_file_and_the_old_one_must_stay() -> None:
    v1 = json.dumps(BASE)
    v2 = json.dumps(changed(lambda s: s["properties"].pop("sport")))

    both = {"team.Founded.v1.json": v1, "team.Founded.v2.json": v2}
    assert compare_schema_sets({"team.Founded.v1.json": v1}, both) == []
    removed = compare_schema_sets({"team.Founded.v1.json": v1}, {"team.Founded.v2.json": v2})
    assert [p.file for p in removed] == ["team.Founded.v1.json"]


def test_unversioned_and_derived_files_are_not_contracts() -> None:
    before = {"team.Founded.json": json.dumps(BASE), "teams.asyncapi.json": "{}"}
    assert compare_schema_sets(before, {}) == []


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "docs" / "events"
    folder.mkdir(parents=True)
    git(tmp_path, "init", "-q", "-b", "main")
    (folder / "team.Founded.v1.json").write_text(json.dumps(BASE))
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "publish team.Founded")
    return folder


def git(cwd: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True)


def compat(folder: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["schemas", "compat", "--directory", str(folder), *args], obj=CliState(specs=[]))


def test_the_command_fails_on_an_incompatible_commit_and_names_the_change(repository: Path) -> None:
    (repository / "team.Founded.v1.json").write_text(json.dumps(changed(lambda s: s["properties"].pop("sport"))))
    uncommitted = compat(repository)
    assert uncommitted.exit_code == 1
    assert "removed field `sport`" in uncommitted.output

    git(repository, "commit", "-qam", "drop sport")
    committed = compat(repository)
    assert committed.exit_code == 1, committed.output
    assert "team.Founded.v1.json" in committed.output


def test_the_command_passes_a_compatible_commit_and_a_version_bump(repository: Path) -> None:
    (repository / "team.Founded.v1.json").write_text(
        json.dumps(changed(lambda s: s["properties"].update(area={"type": "string"})))
    )
    (repository / "team.Founded.v2.json").write_text(json.dumps(changed(lambda s: s["properties"].pop("sport"))))
    git(repository, "add", ".")
    git(repository, "commit", "-qm", "team.Founded v2")

    result = compat(repository)
    assert result.exit_code == 0, result.output
    assert "every change is compatible" in result.output
    assert compat(repository, "--against", "HEAD~1").exit_code == 0


def test_without_history_to_compare_with_the_command_skips(
    repository: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = compat(repository)  # the folder's only commit has no parent
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output

    elsewhere = tmp_path_factory.mktemp("not-a-repository")
    shutil.copy(repository / "team.Founded.v1.json", elsewhere)
    outside = compat(elsewhere)
    assert outside.exit_code == 0, outside.output
    assert "skipped" in outside.output
