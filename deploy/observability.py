"""Prometheus and Grafana against the development stack, where they are installed.

    python3 dev.py up                                  # in one terminal: the stack with demo data
    python3 dev.py run python deploy/observability.py  # in another: Prometheus on :9090, Grafana on :3000

Prometheus scrapes every API's and every worker's /metrics with the alert rules of deploy/prometheus/rules/;
Grafana gets the data sources and dashboards of deploy/grafana/ (anonymous viewers, localhost only), reading
the read models as `grafana_reader`, which this command lets log in to the development database with a
development password. Either program is skipped, with a note, when it is not installed (Debian:
`apt-get install prometheus`; Grafana: its own package). Ctrl-C stops both.

The dashboard tests use `prometheus_config` too, to scrape the stack they start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEPLOY = Path(__file__).resolve().parent
RULES_DIR = DEPLOY / "prometheus" / "rules"
GRAFANA_PROVISIONING = DEPLOY / "grafana" / "provisioning"
GRAFANA_DASHBOARDS = DEPLOY / "grafana" / "dashboards"
DEV_GRAFANA_READER_PASSWORD = "grafana-reader-dev"  # noqa: S105 (development database on 127.0.0.1 only)
SERVICES = ("enrollment", "caselog", "network", "billing")
WORKER_PORT_OFFSET = 100  # as the stack runner gives each worker its API's port + 100


def prometheus_config(
    apis: Mapping[str, str],
    workers: Mapping[str, str],
    *,
    rule_files: Sequence[Path] = (),
    scrape_interval: str = "15s",
) -> dict[str, Any]:
    """Scrape jobs `rinnalla-api` and `rinnalla-worker`, one target per service labelled `service` (the same
    jobs and labels as deploy/prometheus/prometheus.yml). Prometheus reads JSON as YAML."""

    def job(name: str, targets: Mapping[str, str]) -> dict[str, Any]:
        return {
            "job_name": name,
            "metrics_path": "/metrics",
            "static_configs": [{"targets": [address], "labels": {"service": service}}
                               for service, address in targets.items()],
        }  # fmt: skip

    return {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [job("rinnalla-api", apis), job("rinnalla-worker", workers)],
    }


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yml"))


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


async def _let_grafana_reader_log_in(database_url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"ALTER ROLE grafana_reader LOGIN PASSWORD '{DEV_GRAFANA_READER_PASSWORD}'")
        await conn.execute("ALTER ROLE grafana_reader SET default_transaction_read_only = on")
        await conn.execute("ALTER ROLE grafana_reader SET statement_timeout = '30s'")
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    from rinnalla_runtime.servers import read_running_servers
    from rinnalla_runtime.settings import RuntimeSettings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prometheus-port", type=int, default=9090)
    parser.add_argument("--grafana-port", type=int, default=3000)
    args = parser.parse_args(argv)

    settings = RuntimeSettings()
    ports = {"enrollment": 8001, "caselog": 8002, "network": 8003, "billing": 8004}
    apis, workers = {}, {}
    for service, default_port in ports.items():
        host, port = settings.service_address(service, default_port)
        worker = settings.worker_metrics_address(service) or (host, port + WORKER_PORT_OFFSET)
        apis[service] = f"{host}:{port}"
        workers[service] = f"{worker[0]}:{worker[1]}"

    work = settings.data_dir.resolve()
    processes: list[subprocess.Popen[bytes]] = []
    prometheus = _find("prometheus")
    if prometheus is None:
        print("prometheus is not installed (Debian: apt-get install prometheus); skipping it")
    else:
        config = Path(tempfile.mkdtemp(prefix="rinnalla-prometheus-")) / "prometheus.yml"
        config.write_text(json.dumps(prometheus_config(apis, workers, rule_files=rule_files())))
        processes.append(subprocess.Popen([  # noqa: S603 (the installed prometheus, fixed arguments)
            prometheus, f"--config.file={config}", f"--storage.tsdb.path={work / 'prometheus'}",
            f"--web.listen-address=127.0.0.1:{args.prometheus_port}",
        ]))  # fmt: skip
        print(f"Prometheus  http://127.0.0.1:{args.prometheus_port}  (alerts: /alerts)")

    grafana = _find("grafana", "grafana-server")
    if grafana is None:
        print("grafana is not installed (see grafana.com for its Debian package); skipping it")
    else:
        database_url = settings.database_url
        if not database_url:
            running = read_running_servers(work)
            database_url = running.database_url if running else None
        if not database_url:
            print("no running stack found: start it first with `python3 dev.py up`", file=sys.stderr)
            return 1
        asyncio.run(_let_grafana_reader_log_in(database_url))
        address = database_url.split("@")[-1].split("/")[0]
        env = {
            **os.environ,
            "GF_PATHS_PROVISIONING": str(GRAFANA_PROVISIONING),
            "GF_PATHS_DATA": str(work / "grafana"),
            "GF_SERVER_HTTP_ADDR": "127.0.0.1",
            "GF_SERVER_HTTP_PORT": str(args.grafana_port),
            "GF_AUTH_ANONYMOUS_ENABLED": "true",
            "GF_AUTH_ANONYMOUS_ORG_ROLE": "Viewer",
            "RINNALLA_POSTGRES_ADDRESS": address,
            "RINNALLA_POSTGRES_SSLMODE": "disable",
            "RINNALLA_PROMETHEUS_URL": f"http://127.0.0.1:{args.prometheus_port}",
            "RINNALLA_GRAFANA_DASHBOARDS": str(GRAFANA_DASHBOARDS),
            "GRAFANA_READER_PASSWORD": DEV_GRAFANA_READER_PASSWORD,
        }
        command = [grafana, "server"] if Path(grafana).name == "grafana" else [grafana]
        homepath = "/usr/share/grafana"
        if Path(homepath).is_dir():
            command.append(f"--homepath={homepath}")
        processes.append(subprocess.Popen(command, env=env))  # noqa: S603 (the installed grafana)
        print(f"Grafana     http://127.0.0.1:{args.grafana_port}  (dashboards in the folder per audience)")

    if not processes:
        return 1
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    raise SystemExit(main())
