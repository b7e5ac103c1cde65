"""What a partner reads off JetStream matches docs/events.

A full demo run of every publishing service goes through its real relay into NATS; a plain nats-py ordered
consumer reads the stream back and a standard JSON Schema validator (format checking on) checks every
message's headers, envelope and payload against the files in docs/events, loaded by path. Nothing here
shares code with the exporter that wrote those files.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rinnalla_events import new_master_key
from rinnalla_runtime.service import ServiceSpec, discover_services
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE

pytestmark = pytest.mark.integration

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"
EXAMPLE = DOCS / "subscribe_example.py"
PUBLISHING = [spec.name for spec in discover_services() if spec.event_classes]


@dataclass
class Message:
    subject: str
    headers: dict[str, str]
    body: dict[str, Any]


def registry() -> Registry:
    """Every schema file of docs/events under its own file name, as a relative `$ref` names it."""
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in DOCS.glob("*.json")
        if not path.name.endswith(".asyncapi.json")
    ]
    return Registry().with_resources(resources)


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def problems(schema: dict[str, Any], instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(schema).iter_errors(instance)]


def values_at(data: Any, path: list[str]) -> list[tuple[dict[str, Any], str]]:
    """(container, field) for a dotted path through objects and lists."""
    if isinstance(data, list):
        return [found for item in data for found in values_at(item, path)]
    if not isinstance(data, dict) or path[0] not in data:
        return []
    if len(path) == 1:
        return [(data, path[0])]
    return values_at(data[path[0]], path[1:])


@pytest.fixture(params=PUBLISHING)
async def published(
    request: pytest.FixtureRequest, database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[ServiceSpec, str, list[Message]]]:
    """Every message of the service's demo run, as a plain consumer reads it off the stream."""
    spec = next(s for s in discover_services() if s.name == request.param)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
        settings = RuntimeSettings(
            database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
        )
        await spec.migrate(settings)
        await spec.load_demo_data(settings)
        conn = await asyncpg.connect(database_url)
        try:
            # each service's event store lives in the schema named after the service
            stored = int(await conn.fetchval(f"SELECT count(*) FROM {spec.name}.events"))
        finally:
            await conn.close()
        if stored == 0:
            pytest.skip(f"{spec.name} has no demo data that publishes events")
        stream = f"{subject_prefix}_{spec.name}".upper()
        nc = await nats.connect(nats_url)
        stop = asyncio.Event()
        worker = asyncio.create_task(spec.run_worker(settings, stop))
        try:
            js = nc.jetstream()
            async with asyncio.timeout(120):
                while True:
                    if worker.done():
                        worker.result()
                        raise AssertionError("the worker stopped")
                    try:
                        if (await js.stream_info(stream)).state.messages >= stored:
                            break
                    except nats.js.errors.NotFoundError:
                        pass
                    await asyncio.sleep(0.2)
            messages = await read_stream(js, f"{subject_prefix}.{spec.name}.>", stored)
        finally:
            stop.set()
            async with asyncio.timeout(30):
                await worker
            await nc.close()
        yield spec, subject_prefix, messages


async def read_stream(js: Any, subjects: str, count: int) -> list[Message]:
    subscription = await js.subscribe(subjects, ordered_consumer=True)
    messages: list[Message] = []
    try:
        while len(messages) < count:
            msg = await subscription.next_msg(timeout=10)
            messages.append(Message(msg.subject, dict(msg.headers or {}), json.loads(msg.data)))
    finally:
        await subscription.unsubscribe()
    return messages


def asyncapi_problems(document: dict[str, Any], prefix: str, message: Message) -> list[str]:
    """The message's channel in the service's AsyncAPI document has its subject and describes it."""
    body = message.body
    channel = document["channels"].get(body["event_type"])
    if channel is None:
        return ["no channel"]
    address = channel["address"].replace("{prefix}", prefix).replace("{stream_type}", body["stream_type"])
    found = [] if message.subject == address else [f"address {address} is not the subject"]
    for reference in channel["messages"].values():
        described = document["components"]["messages"][reference["$ref"].rsplit("/", 1)[-1]]
        if described["x-schema-version"] == body["schema_version"]:
            found += problems(described["headers"]["schema"], message.headers)
            found += problems(described["payload"]["schema"], body)
            return found
    return [*found, f"no message of schema version {body['schema_version']}"]


def test_the_validator_checks_formats() -> None:
    # without rfc3339-validator, jsonschema skips "date-time" silently and the wire test would prove less
    assert {"date-time", "date", "uuid"} <= set(FormatChecker().checkers)
    assert not Draft202012Validator({"format": "date-time"}, format_checker=FormatChecker()).is_valid("2025-13-01")


async def test_every_published_message_matches_docs_events(
    published: tuple[ServiceSpec, str, list[Message]],
) -> None:
    spec, prefix, messages = published
    envelope = json.loads((DOCS / "envelope.json").read_text())
    asyncapi = json.loads((DOCS / f"{spec.name}.asyncapi.json").read_text())
    headers_schema = {"$ref": "envelope.json#/$defs/NatsHeaders"}
    failures: list[str] = []
    seen_types: set[str] = set()
    for message in messages:
        body = message.body
        where = f"{message.subject} ({body.get('event_type')} v{body.get('schema_version')})"
        failures += [f"{where} headers {p}" for p in problems(headers_schema, message.headers)]
        failures += [f"{where} envelope {p}" for p in problems(envelope, body)]
        payload_file = DOCS / f"{body['event_type']}.v{body['schema_version']}.json"
        if not payload_file.exists():
            failures.append(f"{where}: no {payload_file.name} in docs/events")
            continue
        payload_schema = json.loads(payload_file.read_text())
        failures += [f"{where} payload {p}" for p in problems(payload_schema, body["payload"])]
        for path in payload_schema["x-personal-fields"]:
            for container, field in values_at(body["payload"], path.split(".")):
                sealed = container[field]
                if not (isinstance(sealed, dict) and set(sealed) == {"$pii", "ct"}):
                    failures.append(f"{where}: {path} is not encrypted on the wire")
        assert message.headers["Nats-Msg-Id"] == body["event_id"]
        assert message.headers["Rinnalla-Event-Type"] == body["event_type"]
        assert message.subject == f"{prefix}.{spec.name}.{body['stream_type']}.{body['event_type']}"
        failures += [f"{where} AsyncAPI {p}" for p in asyncapi_problems(asyncapi, prefix, message)]
        seen_types.add(body["event_type"])
    assert not failures, "\n".join(failures[:30])
    assert len(seen_types) > 1


async def test_the_subscriber_example_reads_and_deduplicates_the_stream(
    published: tuple[ServiceSpec, str, list[Message]], nats_url: str
) -> None:
    spec, prefix, messages = published
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLE), "--nats-url", nats_url, "--prefix", prefix, "--service", spec.name,
        "--idle-seconds", "2", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    stdout = out.decode()
    lines = stdout.splitlines()
    assert len([line for line in lines if line.startswith("event ")]) == len(messages)
    first = messages[0].body
    assert f"event {first['event_id']} {first['event_type']} v{first['schema_version']}" in lines[0]
    # personal fields travel encrypted, and the example says for whom (a service that publishes none, as billing,
    # has nothing to show here)
    if any('"$pii"' in json.dumps(message.body) for message in messages):
        assert any("encrypted for" in line for line in lines), stdout[:2000]
