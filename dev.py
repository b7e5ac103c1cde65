#!/usr/bin/env python3
"""Set up and run Rinnalla on a fresh machine that has only Python 3.11+ and pip.

    python3 dev.py up [ARGS]     install uv if needed, sync the locked environment, start the stack
    python3 dev.py test [ARGS]   the same sync, then the test suite; ARGS go to pytest
    python3 dev.py run ARGS      the same sync, then `uv run ARGS` (e.g. `python3 dev.py run rinnalla --help`),
                                 so every documented command works where uv is not on PATH

uv comes from PATH when it is at least the pinned version; otherwise pip installs the pinned version
into the data directory (`var/tools/`, or under RINNALLA_DATA_DIR), so nothing outside the checkout
changes. This script uses the standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

UV_VERSION = "0.13.8"
MINIMUM_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent

USAGE = """usage: python3 dev.py up [ARGS]     start the whole stack (ARGS go to `rinnalla stack up`)
       python3 dev.py test [ARGS]   run the tests (ARGS go to pytest)
       python3 dev.py run ARGS      run a command in the locked environment (`uv run ARGS`)"""


def say(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def version_tuple(text: str) -> tuple[int, ...]:
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(part) for part in match.groups()) if match else (0,)


def data_dir() -> Path:
    configured = os.environ.get("RINNALLA_DATA_DIR")
    return (ROOT / configured).resolve() if configured else ROOT / "var"


def uv_on_path() -> str | None:
    found = shutil.which("uv")
    if not found:
        return None
    try:
        reported = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    except (OSError, subprocess.CalledProcessError):
        return None
    if version_tuple(reported) < version_tuple(UV_VERSION):
        say(f"{found} is {reported.strip()}, older than the pinned {UV_VERSION}: using a private copy")
        return None
    return found


def private_uv() -> str:
    tools = data_dir() / "tools" / f"uv-{UV_VERSION}"
    candidates = [tools / "bin" / "uv", tools / "bin" / "uv.exe", tools / "Scripts" / "uv.exe"]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    say(f"installing uv {UV_VERSION} into {tools}")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--target", str(tools), f"uv=={UV_VERSION}"], check=True)  # noqa: S603
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    raise SystemExit(f"dev.py: pip installed uv but no uv executable appeared under {tools}")


def ensure_uv() -> str:
    return uv_on_path() or private_uv()


def run_in_environment(uv: str, command: list[str]) -> int:
    """Replace this process (so Ctrl-C and the exit code belong to the command) where the OS allows.

    Every subprocess here runs our own pinned uv or this interpreter's pip with fixed arguments.
    """
    argv = [uv, "run", "--frozen", *command]
    if os.name == "posix":
        os.execv(uv, argv)  # noqa: S606 (our own uv, a fixed command line)
    return subprocess.run(argv, check=False).returncode  # noqa: S603


def main(argv: list[str]) -> int:
    if sys.version_info < MINIMUM_PYTHON:
        say(f"Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer is needed, this is {sys.version.split()[0]}")
        return 2
    if not argv or argv[0] not in ("up", "test", "run") or (argv[0] == "run" and len(argv) < 2):
        print(USAGE, file=sys.stderr)
        return 2
    os.chdir(ROOT)
    # use this interpreter rather than letting uv look for (or download) another one
    os.environ.setdefault("UV_PYTHON", sys.executable)
    uv = ensure_uv()
    say("syncing the locked environment (uv sync --frozen)")
    subprocess.run([uv, "sync", "--frozen"], check=True)  # noqa: S603
    command, extra = argv[0], argv[1:]
    if command == "up":
        os.environ.setdefault("RINNALLA_LOG_FORMAT", "console")  # a developer reads these logs, not a collector
        return run_in_environment(uv, ["rinnalla", "stack", "up", *extra])
    if command == "run":
        return run_in_environment(uv, extra)
    return run_in_environment(uv, ["pytest", *extra])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as failed:
        say(f"{' '.join(map(str, failed.cmd))} failed with exit code {failed.returncode}")
        sys.exit(failed.returncode or 1)
