"""The published schemas as git has them: what `rinnalla schemas compat` compares the working tree with.

By default the base is the state before the last commit that changed the folder (so CI, on a fresh clone
of main, checks the newest change to the contracts), or HEAD while the folder has uncommitted changes. A
shallow clone without that parent, or no git at all, gives no base: there is nothing to compare with.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class HistoryUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Base:
    rev: str | None
    why: str


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise HistoryUnavailable("git is not installed")
    return subprocess.run([git, *args], cwd=directory, capture_output=True, text=True, check=False)  # noqa: S603


def default_base(directory: Path) -> Base:
    if _git(directory, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        return Base(None, "not in a git repository with commits")
    if _git(directory, "status", "--porcelain", "--", ".").stdout.strip():
        return Base("HEAD", "the folder has uncommitted changes: comparing with HEAD")
    last = _git(directory, "log", "-1", "--format=%H", "--", ".").stdout.strip()
    if not last:
        return Base(None, "the folder was never committed")
    parent = _git(directory, "rev-parse", "--verify", "--quiet", f"{last}~1^{{commit}}")
    if parent.returncode != 0:
        return Base(None, f"no parent of {last[:12]} in this clone (shallow or first commit)")
    return Base(parent.stdout.strip(), f"comparing with the state before {last[:12]}, the last change to the folder")


def files_at(rev: str, directory: Path) -> dict[str, str]:
    """{file name: text} of the folder's JSON files at `rev` (empty if the folder did not exist)."""
    listing = _git(directory, "ls-tree", "--name-only", rev, "--", "./")
    if listing.returncode != 0:
        raise HistoryUnavailable(f"git cannot read {rev}: {listing.stderr.strip()}")
    files: dict[str, str] = {}
    for name in listing.stdout.splitlines():
        if name.endswith(".json") and "/" not in name:
            shown = _git(directory, "show", f"{rev}:./{name}")
            if shown.returncode != 0:
                raise HistoryUnavailable(f"git cannot show {name} at {rev}: {shown.stderr.strip()}")
            files[name] = shown.stdout
    return files


def files_now(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(directory.glob("*.json"))}
