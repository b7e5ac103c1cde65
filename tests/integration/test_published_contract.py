"""The published contract of every service, as a partner without a token reads it: `/openapi.json` and
`/docs` are open, the docs page loads nothing from another host, and every operation under /v1 declares
its security, its headers, examples for its bodies and its error answers as problem details."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs  # schemathesis's validator
import pytest
from rinnalla_events import new_master_key
from rinnalla_runtime.problems import PROBLEM_MEDIA_TYPE
from rinnalla_runtime.service import find_service
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import ROLE_PURPOSES, ProcessingPurpose, Role
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER

SERVICES = ["enrollment", "caselog", "network", "billing"]
ERROR_STATUSES = {"401", "403", "404", "409", "410", "422", "503"}
METHODS = {"get", "put", "post", "patch", "delete"}
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(params=SERVICES)
async def client(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("RINNALLA_AUTH_DEV_KEY_PATH", str(tmp_path / "keys"))
    monkeypatch.setenv("RINNALLA_AUTH_ISSUER", DEV_ISSUER)
    monkeypatch.setenv("RINNALLA_AUTH_AUDIENCE", DEV_AUDIENCE)
    # Serving the contract opens no connection: the servers named here are never reached.
    settings = RuntimeSettings(
        database_url="postgresql://nobody@127.0.0.1:9/none", nats_url="nats://127.0.0.1:9",
        master_key=new_master_key(), data_dir=tmp_path,
    )
    app = find_service(request.param).create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc.test") as http:
        yield http


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
        if method in METHODS
    ]


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    assert isinstance(target, dict)
    return target


def _has_examples(media: dict[str, Any]) -> bool:
    return "example" in media or bool(media.get("examples"))


async def test_the_contract_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


async def test_every_operation_declares_security_headers_examples_and_problems(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    schemes = document.get("components", {}).get("securitySchemes", {})
    missing: list[str] = []

    for path, method, operation in _operations(document):
        label = f"{method.upper()} {path}"
        for requirement in operation.get("security", []) or [{}]:
            for name in requirement:
                if schemes.get(name, {}).get("scheme") != "bearer" or schemes[name].get("bearerFormat") != "JWT":
                    missing.append(f"{label}: security {name} is not a bearer JWT scheme")
        if not operation.get("security"):
            missing.append(f"{label}: no security")
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "post" and "Idempotency-Key" not in headers:
            missing.append(f"{label}: no Idempotency-Key header")
        if "X-Purpose" in headers:
            purposes = headers["X-Purpose"]["schema"].get("enum")
            if not purposes or not set(purposes) <= {p.value for p in ProcessingPurpose}:
                missing.append(f"{label}: X-Purpose is not an enumeration of processing purposes")
            by_role = operation.get("x-purposes-by-role", {})
            overreach = [role for role, claimable in by_role.items() if not set(claimable) <= ROLE_PURPOSES[Role(role)]]
            if not by_role or overreach:
                missing.append(f"{label}: no x-purposes-by-role, or one that grants purposes a role may not claim")
        body = operation.get("requestBody", {}).get("content", {})
        missing += [f"{label}: request {media} has no example" for media, c in body.items() if not _has_examples(c)]
        responses = operation.get("responses", {})
        for status, answer in responses.items():
            content = _resolve(document, answer).get("content", {})
            if status.startswith("2"):
                missing += [f"{label}: {status} {m} has no example" for m, c in content.items() if not _has_examples(c)]
        for status in sorted(ERROR_STATUSES - set(responses)):
            missing.append(f"{label}: no {status} answer")
        for status in sorted(code for code in responses if code[:1] in "45"):
            content = _resolve(document, responses[status]).get("content", {})
            problem = content.get(PROBLEM_MEDIA_TYPE, {})
            if set(content) != {PROBLEM_MEDIA_TYPE} or problem.get("schema") != PROBLEM_SCHEMA:
                missing.append(f"{label}: {status} is not {PROBLEM_MEDIA_TYPE} with the Problem schema")
            elif not _has_examples(problem):
                missing.append(f"{label}: {status} has no example")

    assert missing == []


async def test_every_example_matches_its_schema(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    wrong: list[str] = []

    for path, method, operation in _operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += list(operation.get("responses", {}).items())
        for name, body in bodies:
            for media, content in body.get("content", {}).items():
                if "example" not in content or "schema" not in content:
                    continue
                schema = {**content["schema"], "components": document["components"]}
                validator = jsonschema_rs.Draft202012Validator(schema)
                wrong += [f"{method.upper()} {path} {name} {media}: {error}" for error in
                          validator.iter_errors(content["example"])]

    assert wrong == []


async def test_personal_data_operations_name_their_purposes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    by_role = document["info"]["x-purposes-by-role"]
    assert by_role["guardian"] == ["client_rights_log_request", "own_child"]
    assert "`X-Purpose`" in document["info"]["description"]
    for path, method, operation in _operations(document):
        if "x-purposes-by-role" in operation:
            assert any(p["name"] == "X-Purpose" for p in operation["parameters"]), f"{method} {path}"


async def test_the_problem_schema_is_rfc_9457(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_docs_need_no_token_and_load_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")

    assert page.status_code == 200
    assert "://" not in page.text  # no CDN, no public validator: production networks have no internet
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert any(asset.endswith(".js") for asset in assets) and any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
    assert "/openapi.json" in page.text
