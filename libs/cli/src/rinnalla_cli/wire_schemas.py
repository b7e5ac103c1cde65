"""JSON Schemas of events as they travel on NATS: the envelope, its headers, and each payload as published.

The payload schema is the event model's schema with every personal field replaced by its sealed form
(`{"$pii": <person id>, "ct": <base64>}`, see `rinnalla_events.codec`): what a partner receives is the
ciphertext, never the plaintext. Published schemas are open (no `additionalProperties: false`) so that an
optional field added within a schema version does not make a validating partner reject messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nats.js.api import Header
from pydantic import BaseModel
from rinnalla_events import (
    HEADER_EVENT_TYPE,
    HEADER_SCHEMA_VERSION,
    HEADER_TENANT,
    PII_MARK,
    Envelope,
    personal_fields,
    personal_paths,
)

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_FILE = "envelope.json"
HEADERS_POINTER = "#/$defs/NatsHeaders"
SEALED_DEF = "SealedPersonalField"
_BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# W3C Trace Context, version 00: version-traceid-parentid-flags
_TRACEPARENT = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


class WireSchemaError(ValueError):
    pass


def payload_file_name(event_type: str, schema_version: int) -> str:
    return f"{event_type}.v{schema_version}.json"


def sealed_field_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": (
            "A personal field as published: its JSON-encoded value encrypted with AES-256-GCM under the data key"
            " of one person. Destroying that key (erasure) makes every copy unreadable."
        ),
        "properties": {
            PII_MARK: {"type": "string", "minLength": 1, "description": "Id of the person whose key encrypts it."},
            "ct": {
                "type": "string",
                "contentEncoding": "base64",
                "pattern": _BASE64,
                "description": (
                    "Base64 of a 12-byte nonce, then ciphertext and tag; the person's id is associated data."
                ),
            },
        },
        "required": [PII_MARK, "ct"],
        "additionalProperties": False,
    }


def payload_document(publishers: list[str], event_class: type[BaseModel], event_type: str) -> dict[str, Any]:
    """The schema of an event's payload as the relay publishes it."""
    version = int(getattr(event_class, "schema_version", 1))
    schema: dict[str, Any] = event_class.model_json_schema(mode="serialization")
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    if SEALED_DEF in defs:
        raise WireSchemaError(f"{event_type}: a model named {SEALED_DEF} clashes with the sealed-field schema")
    for model, model_schema in _model_schemas(event_class, schema):
        for name, marker in personal_fields(model).items():
            described = model_schema["properties"][name]
            model_schema["properties"][name] = {
                "$ref": f"#/$defs/{SEALED_DEF}",
                "title": described.get("title", name),
                "description": (
                    f"Personal data, encrypted for the person whose id is in `{marker.subject_field}`"
                    f" (`{PII_MARK}` equals that field's value)."
                ),
                "x-personal-subject-field": marker.subject_field,
            }
    _open(schema)
    if personal_paths(event_class):
        defs[SEALED_DEF] = sealed_field_schema()  # closed: its shape is the codec's, fixed
    if not defs:
        del schema["$defs"]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "x-event-type": event_type,
        "x-schema-version": version,
        "x-publishers": publishers,
        "x-personal-fields": personal_paths(event_class),
        **schema,
    }


def envelope_document() -> dict[str, Any]:
    """The JSON body of every message on a Rinnalla stream, and the NATS headers the relay sets."""
    schema: dict[str, Any] = Envelope.model_json_schema(mode="serialization")
    schema["description"] = (
        "The body of every message on a Rinnalla stream. `payload` is described by the file"
        " `<event_type>.v<schema_version>.json` beside this one; its personal fields are encrypted."
    )
    schema["properties"]["payload"] = {
        "type": "object",
        "title": "Payload",
        "description": "The event as published; its schema is `<event_type>.v<schema_version>.json`.",
        "x-schema-file": "{event_type}.v{schema_version}.json",
    }
    _open(schema)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "Rinnalla event envelope",
        **schema,
        "$defs": {**schema.get("$defs", {}), "NatsHeaders": headers_schema()},
    }


def headers_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "NATS headers",
        "description": "Headers of every message the relay publishes (header name: value).",
        "properties": {
            Header.MSG_ID.value: {
                "type": "string",
                "format": "uuid",
                "description": "The event id: JetStream drops a duplicate within its window; deduplicate on it too.",
            },
            HEADER_EVENT_TYPE: {"type": "string", "minLength": 1, "description": "Equals the envelope's event_type."},
            HEADER_SCHEMA_VERSION: {
                "type": "string",
                "pattern": "^[1-9][0-9]*$",
                "description": "Equals the envelope's schema_version.",
            },
            HEADER_TENANT: {
                "type": "string",
                "pattern": r"^\d{3}$",
                "description": "Municipality code; absent when the event has no tenant.",
            },
            "traceparent": {
                "type": "string",
                "pattern": _TRACEPARENT,
                "description": "W3C Trace Context of the command that caused the event, when it was traced.",
            },
            "tracestate": {"type": "string", "description": "W3C Trace Context vendor state, when present."},
            Header.EXPECTED_STREAM.value: {
                "type": "string",
                "description": "The stream the relay publishes to (a JetStream publish precondition).",
            },
            Header.EXPECTED_LAST_SEQUENCE.value: {
                "type": "string",
                "pattern": "^[0-9]+$",
                "description": "Stream sequence the message must follow (keeps the stream in log order).",
            },
        },
        "required": [Header.MSG_ID.value, HEADER_EVENT_TYPE, HEADER_SCHEMA_VERSION],
    }


def _model_schemas(event_class: type[BaseModel], schema: dict[str, Any]) -> Iterator[tuple[type[BaseModel], Any]]:
    """Each model class in an event with the part of its JSON Schema that describes it."""
    yield event_class, schema
    defs = schema.get("$defs", {})
    for nested in sorted(_nested_models(event_class), key=lambda cls: cls.__name__):
        name = nested.__name__
        found = next((defs[key] for key in (name, f"{name}-Output") if key in defs), None)
        if found is None or "properties" not in found:
            raise WireSchemaError(f"cannot find the schema of {name} in the schema of {event_class.__name__}")
        yield nested, found


def _nested_models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    for info in model.model_fields.values():
        for candidate in _types_in(info.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and candidate not in seen:
                seen.add(candidate)
                _nested_models(candidate, seen)
    return seen


def _types_in(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [found for arg in args for found in _types_in(arg)]


def _open(schema: Any) -> None:
    """Drop `additionalProperties: false` everywhere: partners must tolerate fields added within a version."""
    if isinstance(schema, dict):
        if schema.get("additionalProperties") is False:
            del schema["additionalProperties"]
        for value in schema.values():
            _open(value)
    elif isinstance(schema, list):
        for item in schema:
            _open(item)
