"""The Grafana dashboards and the Prometheus alert rules in deploy/, checked against the running system.

One stack runs for the module as `python3 dev.py up` runs it (every installed service's API and worker, the
demo data), against the test servers. Then:

- every dashboard is valid for the Grafana version compose names (schema version, unique ids, data sources);
- every SQL panel runs as `grafana_reader` against the demo read models and returns rows with the columns the
  panel declares (its `organize` transformation); it reads only views of the registry deploy/grafana/views.yaml
  that are suppressed or count nobody, and the registry matches what the services grant and hide;
- every PromQL expression (panels and alert rules) parses, with a real PromQL parser and with `promtool`
  where installed, and names only metrics the stack exposes on a live scrape;
- where a `prometheus` binary is installed, a real Prometheus scrapes the stack, loads the rules, and every
  panel query returns series.

A new dashboard, panel, view or rule is picked up without changing this file.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import httpx
import promql_parser
import pytest
import yaml  # type: ignore[import-untyped]
from prometheus_client.parser import text_string_to_metric_families
from rinnalla_events import new_master_key
from rinnalla_runtime import testing
from rinnalla_runtime.embedded import free_port
from rinnalla_runtime.service import ServiceSpec, discover_services
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.stack import StackInfo, run_stack
from rinnalla_security import DEV_AUDIENCE, DEV_ISSUER, mint_dev_token

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
AUDIENCES = {"coordinator", "municipality-and-county", "sib-fund-and-evaluator", "finance", "operations"}
# The classic dashboard model's schema version each Grafana release writes (and migrates older ones to).
GRAFANA_SCHEMA_VERSIONS = {"12.2": 42}
SQL_DATASOURCE = "grafana-postgresql-datasource"
PANEL_TYPES = {"table", "timeseries", "barchart", "stat", "bargauge", "gauge", "piechart", "text", "row"}
PROMETHEUS_DATASOURCE = "prometheus"
LAG_METRICS = {"rinnalla_relay_lag_events", "rinnalla_projection_lag_events"}
SYNTHETIC_METRICS = {"up"}  # made by Prometheus for each target, not by a service
WAIT_ROUNDS = 1200  # x 0.05 s: a bound on waiting for workers and scrapes, not a speed requirement
QUIET_ROUNDS = 40  # x 0.05 s with nothing more applied: the demo data is in
RELATION = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)", re.IGNORECASE)


# --- what deploy/ declares ------------------------------------------------------------------------------


def load_observability() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rinnalla_deploy_observability", DEPLOY / "observability.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Panel:
    dashboard: str
    panel: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.dashboard}: {self.panel['title']}"

    def targets(self, datasource: str) -> list[dict[str, Any]]:
        return [t for t in self.panel.get("targets", []) if t.get("datasource", {}).get("type") == datasource]

    @property
    def declared_columns(self) -> list[str]:
        for transformation in self.panel.get("transformations", []):
            if transformation["id"] == "organize":
                index: dict[str, int] = transformation["options"]["indexByName"]
                return sorted(index, key=index.__getitem__)
        return []


def dashboards() -> dict[Path, dict[str, Any]]:
    return {path: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*/*.json"))}


def panels() -> list[Panel]:
    found = []
    for path, dashboard in dashboards().items():
        for panel in dashboard["panels"]:
            found.extend(Panel(f"{path.parent.name}/{path.name}", p) for p in [panel, *panel.get("panels", [])])
    return found


def sql_panels() -> list[Panel]:
    return [p for p in panels() if p.targets(SQL_DATASOURCE)]


def view_registry() -> dict[str, dict[str, Any]]:
    registry: dict[str, dict[str, Any]] = yaml.safe_load((DEPLOY / "grafana" / "views.yaml").read_text())
    return registry


def relations_read(sql: str) -> set[str]:
    return {name.lower() for name in RELATION.findall(sql)}


def rules() -> list[dict[str, Any]]:
    found = []
    for path in sorted((DEPLOY / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            found.extend(group["rules"])
    return found


def promql_expressions() -> dict[str, str]:
    """Every PromQL expression of the dashboards and the alert rules, by where it is."""
    found = {}
    for panel in panels():
        for target in panel.targets(PROMETHEUS_DATASOURCE):
            found[f"{panel.name} {target['refId']}"] = target["expr"]
    for rule in rules():
        found[f"rule {rule['alert']}"] = rule["expr"]
    return found


def metric_names(node: Any) -> set[str]:
    """The metric names an expression's selectors name, walking the parser's syntax tree."""
    if isinstance(node, promql_parser.VectorSelector):
        return {node.name} if node.name else set()
    names: set[str] = set()
    for attribute in ("expr", "lhs", "rhs", "vector_selector", "param", "args"):
        child = getattr(node, attribute, None)
        for item in child if isinstance(child, list) else [child]:
            if item is not None and type(item).__module__.startswith("promql_parser"):
                names |= metric_names(item)
    return names


def grafana_version() -> str:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    image: str = compose["services"]["grafana"]["image"]
    assert image.startswith("grafana/grafana:")
    return image.split(":", 1)[1]


def datasource_uids() -> dict[str, str]:
    provisioned = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "rinnalla.yaml").read_text())
    return {source["uid"]: source["type"] for source in provisioned["datasources"]}


# --- tests of the files alone ----------------------------------------------------------------------------


def test_dashboards_are_valid_for_the_grafana_version_compose_names() -> None:
    version = grafana_version()
    schema_version = GRAFANA_SCHEMA_VERSIONS[".".join(version.split(".")[:2])]
    sources = datasource_uids()
    found = dashboards()
    assert {path.parent.name for path in found} == AUDIENCES, "one folder per audience, each with a dashboard"
    uids = [dashboard["uid"] for dashboard in found.values()]
    assert len(uids) == len(set(uids)), "dashboard uids are unique"
    for path, dashboard in found.items():
        assert dashboard["schemaVersion"] == schema_version, path
        assert dashboard["title"] and dashboard["description"], path
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{path}: panel ids are unique"
    for panel in panels():
        assert panel.panel["type"] in PANEL_TYPES, f"{panel.name}: a panel type Grafana {version} ships"
        assert panel.panel["title"] and panel.panel.get("description"), f"{panel.name}: named and described"
        assert set(panel.panel["gridPos"]) == {"x", "y", "w", "h"}, panel.name
        refs = [panel.panel.get("datasource"), *(t.get("datasource") for t in panel.panel.get("targets", []))]
        for ref in filter(None, refs):
            assert sources.get(ref["uid"]) == ref["type"], f"{panel.name}: data source {ref} is provisioned"
        for target in panel.targets(SQL_DATASOURCE):
            assert target["format"] == "table" and target["rawQuery"], panel.name
            assert panel.declared_columns, f"{panel.name}: declares its columns (organize transformation)"


def test_every_panel_reads_only_registered_views_that_are_suppressed_or_count_nobody() -> None:
    registry = view_registry()
    readable = {name for name, view in registry.items() if view["suppressed"] or not view["counts"]}
    for panel in sql_panels():
        for target in panel.targets(SQL_DATASOURCE):
            read = relations_read(target["rawSql"])
            assert read, f"{panel.name}: reads no view"
            assert all("." in name for name in read), f"{panel.name}: names every view with its schema"
            assert read <= readable, f"{panel.name} reads {sorted(read - readable)}: not suppressed or not registered"
    panelled = {
        name for panel in sql_panels() for t in panel.targets(SQL_DATASOURCE) for name in relations_read(t["rawSql"])
    }
    assert readable <= panelled, f"views without a panel: {sorted(readable - panelled)}"


def test_every_promql_expression_and_rule_parses() -> None:
    expressions = promql_expressions()
    assert any(name.startswith("rule ") for name in expressions)
    for where, expr in expressions.items():
        try:
            promql_parser.parse(expr)
        except Exception as exc:  # the parser raises a plain ValueError/RuntimeError naming the position
            pytest.fail(f"{where}: {expr!r} does not parse: {exc}")
    promtool = shutil.which("promtool")
    if promtool is not None:
        for path in sorted((DEPLOY / "prometheus" / "rules").glob("*.yml")):
            checked = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_collector_receives_traces_metrics_and_logs_over_otlp() -> None:
    collector = yaml.safe_load((DEPLOY / "otel" / "collector.yaml").read_text())
    assert set(collector["receivers"]["otlp"]["protocols"]) == {"grpc", "http"}
    pipelines = collector["service"]["pipelines"]
    assert set(pipelines) == {"traces", "metrics", "logs"}
    assert all(pipeline["receivers"] == ["otlp"] for pipeline in pipelines.values())
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    environment = compose["services"]["enrollment-api"]["environment"]
    assert environment["RINNALLA_OTEL_EXPORTER"] == "otlp"
    assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"


# --- the running stack -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningStack:
    info: StackInfo
    specs: list[ServiceSpec]
    database_url: str
    key_dir: Path
    workers: dict[str, str]

    @property
    def apis(self) -> dict[str, str]:
        return {endpoint.name: endpoint.base_url for endpoint in self.info.services}

    def token(self, user: str) -> str:
        return mint_dev_token(user, key_dir=self.key_dir)


@pytest.fixture(scope="module")
def dev_token_settings() -> Iterator[Path]:
    """The services trust development tokens, as under `rinnalla stack up`."""
    root = Path(tempfile.mkdtemp(prefix="rinnalla-dashboards-"))
    key_dir = root / "dev-keys"
    wanted = {"RINNALLA_AUTH_DEV_KEY_PATH": str(key_dir), "RINNALLA_AUTH_ISSUER": DEV_ISSUER,
              "RINNALLA_AUTH_AUDIENCE": DEV_AUDIENCE}  # fmt: skip
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    mint_dev_token("coordinator.vantaa", key_dir=key_dir)  # makes the keys before any service reads them
    try:
        yield root
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
async def stack(servers: testing.TestServers, dev_token_settings: Path) -> AsyncIterator[RunningStack]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(servers.postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    database_url = testing.with_database(servers.postgres_url, name)
    specs = discover_services()
    ports: dict[str, Any] = {}
    workers = {}
    for spec in specs:
        ports[f"{spec.name}_port"] = free_port()
        ports[f"{spec.name}_worker_port"] = worker_port = free_port()
        workers[spec.name] = f"127.0.0.1:{worker_port}"
    settings = RuntimeSettings(
        database_url=database_url, nats_url=servers.nats_url, subject_prefix=f"t{uuid.uuid4().hex[:10]}",
        master_key=new_master_key(), data_dir=dev_token_settings / "var", demo_data=True,
        shutdown_grace_seconds=2, **ports,
    )  # fmt: skip
    stop = asyncio.Event()
    ready: asyncio.Queue[StackInfo] = asyncio.Queue()
    task = asyncio.create_task(run_stack(settings, specs, stop=stop, on_ready=ready.put_nowait, handle_signals=False))
    waiting = asyncio.create_task(ready.get())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    assert not task.done(), f"the stack ended before it was ready: {task.result()}"
    running = RunningStack(waiting.result(), specs, database_url, dev_token_settings / "dev-keys", workers)
    try:
        await caught_up(running)
        await make_requests(running)
        yield running
    finally:
        stop.set()
        assert await task == 0
        admin = await asyncpg.connect(servers.postgres_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def caught_up(running: RunningStack) -> None:
    """Every worker's relay and projections have applied the demo data (read from the workers' /metrics)."""
    last_applied, quiet_rounds = -1.0, 0
    async with httpx.AsyncClient() as client:
        for _ in range(WAIT_ROUNDS):
            try:
                samples = [s for a in running.workers.values() for s in await scrape(client, f"http://{a}")]
            except httpx.ConnectError:  # a worker has not started serving yet
                samples = []
            lags = [s.value for s in samples if s.name in LAG_METRICS]
            applied = sum(s.value for s in samples if s.name == "rinnalla_projection_events_applied_total")
            # a lag gauge reads 0 before its first measurement too: wait until nothing more is applied for a
            # while with every lag at 0 (the demo data of four services arrives in several batches)
            if lags and all(lag == 0 for lag in lags) and applied > 0 and applied == last_applied:
                quiet_rounds += 1
                if quiet_rounds >= QUIET_ROUNDS:
                    return
            else:
                quiet_rounds = 0
            last_applied = applied
            await asyncio.sleep(0.05)
    pytest.fail("the workers did not apply the demo data")


async def make_requests(running: RunningStack) -> None:
    """A request of each kind the operations dashboard counts: a command, a read, 401, 403, 404."""
    base = running.apis["enrollment"]
    mentor = {"Authorization": f"Bearer {running.token('mentor.vantaa')}", "X-Purpose": "programme_delivery"}
    finance = {"Authorization": f"Bearer {running.token('finance.vantaa')}", "X-Purpose": "programme_delivery"}
    coordinator = {
        "Authorization": f"Bearer {running.token('coordinator.vantaa')}", "X-Purpose": "programme_delivery",
        "Idempotency-Key": str(uuid.uuid4()),
    }  # fmt: skip
    async with httpx.AsyncClient(base_url=base) as client:
        opened = await client.post(
            "/v1/partnerships/partnership-092-dashboards",
            json={"municipality_code": "092", "opened_on": "2025-01-15"},
            headers=coordinator,
        )
        assert opened.status_code == 200, opened.text
        assert (await client.get("/v1/mentor/teams", headers=mentor)).status_code == 200
        assert (await client.get("/v1/mentor/teams")).status_code == 401
        assert (await client.get("/v1/mentor/teams", headers=finance)).status_code == 403
        assert (await client.get("/v1/no-such-route", headers=mentor)).status_code == 404


async def scrape(client: httpx.AsyncClient, base_url: str) -> list[Any]:
    response = await client.get(f"{base_url}/metrics")
    assert response.status_code == 200, response.text
    return [sample for family in text_string_to_metric_families(response.text) for sample in family.samples]


async def exposed_metric_names(running: RunningStack) -> set[str]:
    async with httpx.AsyncClient() as client:
        urls = [*running.apis.values(), *(f"http://{address}" for address in running.workers.values())]
        return {sample.name for url in urls for sample in await scrape(client, url)}


async def test_every_sql_panel_runs_as_grafana_reader_and_returns_its_declared_columns(stack: RunningStack) -> None:
    conn = await asyncpg.connect(stack.database_url)
    try:
        for panel in sql_panels():
            for target in panel.targets(SQL_DATASOURCE):
                async with conn.transaction(readonly=True):
                    await conn.execute("SET LOCAL ROLE grafana_reader")
                    statement = await conn.prepare(target["rawSql"])
                    columns = [attribute.name for attribute in statement.get_attributes()]
                    rows = await statement.fetch()
                assert columns == panel.declared_columns, panel.name
                assert rows, f"{panel.name}: no rows from the demo data"
    finally:
        await conn.close()


async def test_the_view_registry_matches_the_grants_and_the_suppression(stack: RunningStack) -> None:
    registry = view_registry()
    conn = await asyncpg.connect(stack.database_url)
    try:
        granted = {
            f"{row['table_schema']}.{row['table_name']}"
            for row in await conn.fetch(
                "SELECT table_schema, table_name FROM information_schema.role_table_grants "
                "WHERE grantee = 'grafana_reader' AND privilege_type = 'SELECT'"
            )
        }
        assert granted == set(registry), "every view granted to grafana_reader is registered, and only those"
        for view, entry in registry.items():
            if not entry["suppressed"]:
                continue
            async with conn.transaction(readonly=True):
                await conn.execute("SET LOCAL ROLE grafana_reader")
                for column in entry["counts"]:
                    small = await conn.fetchval(f"SELECT count(*) FROM {view} WHERE {column} BETWEEN 1 AND 4")
                    assert small == 0, f"{view}.{column} shows a count of 1-4"
    finally:
        await conn.close()


async def test_promql_names_only_metrics_the_running_stack_exposes(stack: RunningStack) -> None:
    exposed = await exposed_metric_names(stack) | SYNTHETIC_METRICS
    for where, expr in promql_expressions().items():
        named = metric_names(promql_parser.parse(expr))
        assert named, f"{where}: names no metric"
        assert named <= exposed, f"{where} names {sorted(named - exposed)}, which no service exposes"


async def test_every_service_and_worker_exposes_the_shared_metrics(stack: RunningStack) -> None:
    async with httpx.AsyncClient() as client:
        for service, base_url in stack.apis.items():
            samples = await scrape(client, base_url)
            assert {s.labels.get("service") for s in samples if s.name.startswith("rinnalla_")} == {service}
            ready = {s.labels["check"]: s.value for s in samples if s.name == "rinnalla_readiness_check"}
            assert ready and all(value == 1 for value in ready.values()), (service, ready)
            writes = {s.labels["log"] for s in samples if s.name == "rinnalla_audit_log_writes_total"}
            assert writes == {"access", "disclosure"}, service
        for service, address in stack.workers.items():
            samples = await scrape(client, f"http://{address}")
            assert {s.labels.get("service") for s in samples if s.name.startswith("rinnalla_")} == {service}
            assert any(s.name == "rinnalla_relay_lag_events" for s in samples), service
        enrollment = await scrape(client, stack.apis["enrollment"])
    statuses = {s.labels["status"] for s in enrollment if s.name == "rinnalla_http_requests_total"}
    assert {"200", "401", "403", "404"} <= statuses
    appended = [s for s in enrollment if s.name == "rinnalla_events_appended_total"]
    assert appended and all(s.labels["service"] == "enrollment" for s in appended)


# --- a real Prometheus -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def prometheus(stack: RunningStack) -> AsyncIterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("no prometheus binary installed (.ci/run installs Debian's package where it can)")
    observability = load_observability()
    root = Path(tempfile.mkdtemp(prefix="rinnalla-prometheus-"))
    apis = {name: url.removeprefix("http://") for name, url in stack.apis.items()}
    config = observability.prometheus_config(
        apis, stack.workers, rule_files=observability.rule_files(), scrape_interval="1s"
    )
    (root / "prometheus.yml").write_text(json.dumps(config))
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        binary, f"--config.file={root / 'prometheus.yml'}", f"--storage.tsdb.path={root / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(WAIT_ROUNDS):
                try:
                    targets = (await client.get("/api/v1/targets")).json()["data"]["activeTargets"]
                except (httpx.HTTPError, ValueError, KeyError):
                    targets = []
                if len(targets) == 2 * len(stack.apis) and all(t["health"] == "up" for t in targets):
                    break
                assert process.returncode is None, "prometheus stopped"
                await asyncio.sleep(0.05)
            else:
                pytest.fail(f"Prometheus did not reach every target: {targets}")
        yield url
    finally:
        process.terminate()
        await process.wait()
        shutil.rmtree(root, ignore_errors=True)


async def query(client: httpx.AsyncClient, expr: str) -> list[Any]:
    response = await client.get("/api/v1/query", params={"query": expr})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", f"{expr}: {body}"
    result: list[Any] = body["data"]["result"]
    return result


async def test_a_real_prometheus_loads_the_rules_and_every_panel_query_returns_series(
    stack: RunningStack, prometheus: str
) -> None:
    async with httpx.AsyncClient(base_url=prometheus) as client:
        groups = (await client.get("/api/v1/rules")).json()["data"]["groups"]
        loaded = {rule["name"]: rule for group in groups for rule in group["rules"]}
        assert set(loaded) == {rule["alert"] for rule in rules()}
        for where, expr in promql_expressions().items():
            if where.startswith("rule "):
                await query(client, expr)  # evaluates; firing or not depends on the moment
                continue
            for _ in range(WAIT_ROUNDS):  # rate() needs two scrapes of a series
                if await query(client, expr):
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail(f"{where}: {expr} returns no series")
        for _ in range(WAIT_ROUNDS):  # the rules evaluate every second: each reports healthy once it has run
            groups = (await client.get("/api/v1/rules")).json()["data"]["groups"]
            health = {rule["name"]: rule["health"] for group in groups for rule in group["rules"]}
            if all(value == "ok" for value in health.values()):
                break
            await asyncio.sleep(0.05)
        assert all(value == "ok" for value in health.values()), health
        firing = (await client.get("/api/v1/alerts")).json()["data"]["alerts"]
        assert [a for a in firing if a["state"] == "firing"] == [], "a healthy stack fires no alert"
