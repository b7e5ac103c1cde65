"""Every service as deployments run it (`rinnalla run api <service>`, real PostgreSQL and NATS), attacked over
HTTP: hand-made tokens answer 401 on every protected endpoint, never a 500; every answer forbids caching and
sniffing; and schemathesis, with a valid token for every role, finds no request that makes a service fail."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import jwt
import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, Phase, given, settings
from rinnalla_events import new_master_key
from rinnalla_runtime import testing
from rinnalla_runtime.embedded import free_port, wait_for_port
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import Role, demo_user_for_role, ensure_dev_keys, mint_dev_token
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.integration

SERVICES = ["enrollment", "caselog", "network", "billing"]
METHODS = {"get", "put", "post", "patch", "delete"}
# Few examples per operation and role: the run over every service and role stays within a few minutes.
EXAMPLES_PER_OPERATION = 4


@dataclass(frozen=True)
class Live:
    urls: dict[str, str]
    key_dir: Path

    def token(self, role: Role) -> str:
        return mint_dev_token(demo_user_for_role(role), key_dir=self.key_dir)


async def _create_database(servers: testing.TestServers, name: str) -> None:
    admin = await asyncpg.connect(servers.postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_database(servers: testing.TestServers, name: str) -> None:
    admin = await asyncpg.connect(servers.postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def live(servers: testing.TestServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The four services' APIs, each in a process of its own, on one migrated database."""
    tmp = tmp_path_factory.mktemp("live")
    key_dir = tmp / "keys"
    ensure_dev_keys(key_dir)
    database = f"t_{uuid.uuid4().hex[:16]}"
    asyncio.run(_create_database(servers, database))
    cli = str(Path(sys.executable).parent / "rinnalla")
    env = {
        **os.environ,
        "DATABASE_URL": testing.with_database(servers.postgres_url, database),
        "NATS_URL": servers.nats_url,
        "RINNALLA_MASTER_KEY": new_master_key(),
        "RINNALLA_DATA_DIR": str(tmp / "data"),
        "RINNALLA_AUTH_DEV_KEY_PATH": str(key_dir),
        "RINNALLA_AUTH_ISSUER": DEV_ISSUER,
        "RINNALLA_AUTH_AUDIENCE": DEV_AUDIENCE,
        "RINNALLA_LOG_LEVEL": "warning",
        SUBJECT_PREFIX_VARIABLE: f"t{uuid.uuid4().hex[:10]}",
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        subprocess.run([cli, "migrate"], env=env, check=True, capture_output=True)
        urls: dict[str, str] = {}
        for service in SERVICES:
            port = free_port()
            log = (tmp / f"{service}.log").open("wb")
            logs.append(log)
            service_env = {
                **env, f"RINNALLA_{service.upper()}_PORT": str(port), f"RINNALLA_{service.upper()}_HOST": "127.0.0.1"
            }
            processes.append(
                subprocess.Popen([cli, "run", "api", service], env=service_env, stdout=log, stderr=log)
            )
            urls[service] = f"http://127.0.0.1:{port}"
        for service, url in urls.items():
            try:
                wait_for_port(int(url.rsplit(":", 1)[1]), timeout=60)
            except TimeoutError:
                raise RuntimeError(f"{service} did not start: {(tmp / f'{service}.log').read_text()}") from None
        yield Live(urls=urls, key_dir=key_dir)
    finally:
        for process in processes:
            _stop(process)
        for log in logs:
            log.close()
        asyncio.run(_drop_database(servers, database))


def _document(url: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{url}/openapi.json").json()
    return document


def _protected_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, concrete path) of every operation that declares a bearer token, path ids filled in."""
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS and operation.get("security"):
                found.append((method.upper(), path.replace("{", "x-").replace("}", "")))
    return found


def _segment(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _hostile_tokens(live: Live) -> dict[str, str]:
    good = live.token(Role.ADMIN)
    _header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "alg RS256 with a key the service never trusted": jwt.encode(claims, stranger, algorithm="RS256"),
        "alg RS256 with a kid that names no key": jwt.encode(
            claims, stranger, algorithm="RS256", headers={"kid": "no-such-key"}
        ),
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "alg HS512": jwt.encode(claims, "s" * 64, algorithm="HS512"),
        "garbage segments": "!!!.###.$$$",
        "kid that is not a string": f"{_segment({'alg': 'ES256', 'kid': 7})}.{payload}.{signature}",
        "unknown critical header": f"{_segment({'alg': 'ES256', 'crit': ['x']})}.{payload}.{signature}",
    }


@pytest.mark.parametrize("service", SERVICES)
def test_hand_made_tokens_are_401_on_every_protected_endpoint(live: Live, service: str) -> None:
    url = live.urls[service]
    operations = [*_protected_operations(_document(url)), ("GET", "/v1/anything")]
    tokens = _hostile_tokens(live)
    answers: dict[tuple[str, str, str], int] = {}
    with httpx.Client(base_url=url) as client:
        for method, path in operations:
            for name, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}", "X-Purpose": "programme_delivery"}
                response = client.request(method, path, headers=headers, json={} if method != "GET" else None)
                answers[(method, path, name)] = response.status_code
                if response.status_code == 401:
                    assert response.headers["Content-Type"] == "application/problem+json"
                    assert response.json()["type"] == "urn:rinnalla:problem:unauthenticated"
                    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert {key: status for key, status in answers.items() if status != 401} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_every_answer_forbids_caching_and_sniffing_and_the_docs_load_from_the_service(
    live: Live, service: str
) -> None:
    url = live.urls[service]
    admin = {"Authorization": f"Bearer {live.token(Role.ADMIN)}"}
    with httpx.Client(base_url=url) as client:
        answers = {
            "authenticated": client.get("/v1/anything", headers=admin),
            "refused": client.get("/v1/anything"),
            "probe": client.get("/healthz"),
            "contract": client.get("/openapi.json"),
            "docs page": client.get("/docs"),
        }
        script = client.get("/docs/assets/swagger-ui-bundle.js")
    for name, answer in answers.items():
        assert answer.headers.get("Cache-Control") == "no-store", name
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", name
    assert script.status_code == 200
    assert "javascript" in script.headers["Content-Type"]
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert "/docs/assets/swagger-ui-bundle.js" in answers["docs page"].text


# What a hostile client puts into ids and text: a service must answer 4xx, whatever the field.
HOSTILE_IN_IDS = {"NUL": "a\x00b", "control character": "a\x07b"}
HOSTILE_IN_TEXT = {**HOSTILE_IN_IDS, "lone surrogate": "a\ud800b"}


def _first_string(value: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    if isinstance(value, str):
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _first_string(item, (*path, key))
        if found is not None:
            return found
    return None


def _replaced(value: Any, path: tuple[Any, ...], new: str) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    return [_replaced(item, rest, new) if index == head else item for index, item in enumerate(value)]


def _hostile_variants(case: schemathesis.Case) -> Iterator[tuple[str, str, Any]]:
    """(where, what, value) for the case's string path ids, query values and the first string of its body."""
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str):
            for what, hostile in HOSTILE_IN_IDS.items():
                yield f"path.{name}", what, hostile
    for name, value in (case.query or {}).items():
        if isinstance(value, str):
            for what, hostile in HOSTILE_IN_IDS.items():
                yield f"query.{name}", what, hostile
    if isinstance(case.body, dict | list) and (where := _first_string(case.body)) is not None:
        for what, hostile in HOSTILE_IN_TEXT.items():
            yield f"body{list(where)}", what, _replaced(case.body, where, hostile)


def _call_hostile(case: schemathesis.Case, url: str, headers: dict[str, str]) -> Iterator[tuple[str, int, str]]:
    """The case again with each hostile value in place, sent as a client would (the ids percent-encoded, the
    body as JSON with escapes); yields (what, status, body) of each answer."""
    path_parameters = {name: str(value) for name, value in (case.path_parameters or {}).items()}
    query = dict(case.query or {})
    body = case.body if isinstance(case.body, dict | list) else None
    sent_headers = {**{k: str(v) for k, v in (case.headers or {}).items()}, **headers}
    if body is not None:
        sent_headers["Content-Type"] = "application/json"
    with httpx.Client(base_url=url) as client:
        for where, what, value in _hostile_variants(case):
            path_values, query_values, body_value = dict(path_parameters), dict(query), body
            if where.startswith("path."):
                path_values[where.removeprefix("path.")] = value
            elif where.startswith("query."):
                query_values[where.removeprefix("query.")] = value
            else:
                body_value = value
            path = case.operation.path.format(**{name: quote(v, safe="") for name, v in path_values.items()})
            response = client.request(
                case.method, path, params=query_values, headers=sent_headers,
                content=None if body_value is None else json.dumps(body_value),
            )
            yield f"{what} in {where}", response.status_code, response.text[:300]


def _purpose_for(operation: dict[str, Any], role: Role) -> str | None:
    claimable: list[str] = operation.get("x-purposes-by-role", {}).get(role.value, [])
    return claimable[0] if claimable else None


def _fuzz(operation: Any, url: str, headers: dict[str, str]) -> list[str]:
    """Schemathesis's cases of one operation, the first one also with hostile values; the 5xx answers."""
    failures: list[str] = []
    hostile_sent: list[bool] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=url, headers=headers)
        if response.status_code >= 500:
            failures.append(f"{operation.label}: {response.status_code} {response.text[:300]}")
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except Exception as exc:  # schemathesis's failure group: the answer is not what the document says
            failures.append(f"{operation.label}: {response.status_code} does not match the document: {exc}")
        if not hostile_sent:
            hostile_sent.append(True)
            for what, status, text in _call_hostile(case, url, headers):
                if status >= 500:
                    failures.append(f"{operation.label} with {what}: {status} {text}")

    call()
    return failures


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("service", SERVICES)
def test_no_request_of_any_role_makes_a_service_fail(live: Live, service: str, role: Role) -> None:
    """Schemathesis over the service's OpenAPI document with a valid token of the role: every operation the
    role may call, with a purpose it may claim there; the first case of each operation is sent again with NUL,
    a control character or a lone surrogate in each path id, query value and a body string. Any 5xx fails,
    and so does an answer whose body does not match what the document says of its status."""
    url = live.urls[service]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    token = live.token(role)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        definition: dict[str, Any] = operation.definition.raw
        if definition.get("security"):
            if role.value not in definition.get("x-roles", []):
                continue  # 403 before anything else: nothing to find
        elif role is not Role.ADMIN:
            continue  # the probes need no token: fuzzed once per service, not once per role
        headers = {"Authorization": f"Bearer {token}"}
        purpose = _purpose_for(definition, role)
        if purpose is not None:
            headers["X-Purpose"] = purpose
        failures.extend(_fuzz(operation, url, headers))
    assert failures == []
