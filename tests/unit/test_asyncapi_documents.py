"""Every AsyncAPI document in docs/events is valid AsyncAPI 3.0, by the official JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from rinnalla_runtime.service import discover_services

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "tests" / "resources" / "asyncapi" / "3.0.0.json"
DOCUMENTS = sorted((ROOT / "docs" / "events").glob("*.asyncapi.json"))


def test_there_is_a_document_per_publishing_service() -> None:
    publishing = sorted(f"{spec.name}.asyncapi.json" for spec in discover_services() if spec.event_classes)
    assert [path.name for path in DOCUMENTS] == publishing


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_the_document_is_valid_asyncapi_3(path: Path) -> None:
    validator = Draft7Validator(json.loads(OFFICIAL.read_text()))
    document = json.loads(path.read_text())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_the_official_schema_checks_deep_inside_a_document() -> None:
    document = json.loads(DOCUMENTS[0].read_text())
    operation = next(iter(document["operations"].values()))
    operation["action"] = "publish"  # AsyncAPI 2 wording, not valid in 3.0
    errors = list(Draft7Validator(json.loads(OFFICIAL.read_text())).iter_errors(document))
    assert errors and any("operations" in e.absolute_path for e in errors)


def test_every_schema_a_document_points_at_is_in_docs_events() -> None:
    for path in DOCUMENTS:
        text = path.read_text()
        for message in json.loads(text)["components"]["messages"].values():
            for part in ("headers", "payload"):
                schema = message[part]["schema"]
                targets = [ref["$ref"] for ref in schema["allOf"]]
                targets += [value["$ref"] for value in schema["properties"].values() if "$ref" in value]
                for target in targets:
                    assert (path.parent / target.split("#")[0]).is_file(), target
