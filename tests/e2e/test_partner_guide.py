"""docs/partner-guide.md runs as written: every `sh` block, in order, in one bash session, against the stack
as `python3 dev.py up` runs it (`rinnalla stack up`, demo data included), started here on test servers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rinnalla_runtime.embedded import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "partner-guide.md"
SERVICES = ("enrollment", "caselog", "network", "billing")


def guide_script() -> str:
    blocks = re.findall(r"^```sh\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)
    assert blocks, "the partner guide has no sh blocks"
    return "\n".join(blocks)


def wait_ready(url: str, process: subprocess.Popen[bytes], *, within: float = 180.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the stack exited with {process.returncode} before it was ready")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} was not ready within {within}s")


@pytest.fixture
def stack(database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "RINNALLA_DATA_DIR": str(tmp_path / "data"),
        "RINNALLA_SUBJECT_PREFIX": subject_prefix,
        "RINNALLA_LOG_FORMAT": "json",
        **{f"RINNALLA_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    log = (tmp_path / "stack.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "rinnalla"), "stack", "up"], env=env, stdout=log, stderr=log, cwd=ROOT
    )
    try:
        wait_ready(f"http://127.0.0.1:{ports['enrollment']}/readyz", process)
        yield {
            "ENROLLMENT": f"http://127.0.0.1:{ports['enrollment']}",
            "NATS_URL": nats_url,
            "RINNALLA_SUBJECT_PREFIX": subject_prefix,
            "RINNALLA_AUTH_DEV_KEY_PATH": str(tmp_path / "data" / "dev-keys"),
        }
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_the_partner_guide_runs_as_written(stack: dict[str, str]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "VIRTUAL_ENV"))}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", guide_script()],
        env={**env, **stack},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    assert "enrollment.ChildEnrolled child-092-0101" in done.stdout
