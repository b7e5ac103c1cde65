"""Every operator command the docs print exists, and works on a machine where `uv` is not on PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rinnalla_cli.main import app
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED = re.compile(r"^\s*(?:[A-Z_]+=\S+\s+|\w+=\$\()?python3 dev\.py run rinnalla ((?:[a-z][a-z-]*\s?)*)")


def documented_cli_commands() -> set[tuple[str, ...]]:
    """The `rinnalla` sub-commands named in the project's markdown, as `python3 dev.py run rinnalla ...`."""
    commands: set[tuple[str, ...]] = set()
    for doc in ROOT.glob("**/*.md"):
        if any(part in {".venv", "var", "node_modules"} for part in doc.relative_to(ROOT).parts):
            continue
        for line in doc.read_text(encoding="utf-8").splitlines():
            if match := DOCUMENTED.match(line):
                words = tuple(word for word in match.group(1).split() if word.upper() != word)
                commands.add(words)
    return commands


def test_the_docs_name_cli_commands() -> None:
    assert ("token", "mint") in documented_cli_commands()
    assert ("stack", "up") in documented_cli_commands()


@pytest.mark.parametrize("words", sorted(documented_cli_commands()), ids=" ".join)
def test_every_documented_cli_command_exists(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*words, "--help"])
    assert result.exit_code == 0, f"`rinnalla {' '.join(words)}` from the docs: {result.output}"


def test_dev_py_runs_the_cli_where_uv_is_not_on_path() -> None:
    path = os.pathsep.join(
        entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and not Path(entry, "uv").exists()
    )
    env = {**os.environ, "PATH": path}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "run", "rinnalla", "token", "users"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "mentor.vantaa" in done.stdout
