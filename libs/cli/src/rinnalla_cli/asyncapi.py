"""The AsyncAPI 3.0 document of one publishing service: its stream's subjects, the messages on them.

Schemas are not copied in: each message points at the JSON Schema files beside the document
(`envelope.json` and `<event_type>.v<n>.json`), so there is one source for each contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rinnalla_events import HEADER_EVENT_TYPE, HEADER_SCHEMA_VERSION

from rinnalla_cli.wire_schemas import ENVELOPE_FILE, HEADERS_POINTER, JSON_SCHEMA_DIALECT

ASYNCAPI_VERSION = "3.0.0"
SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
DOCUMENT_VERSION = "1.0.0"


def asyncapi_file_name(service: str) -> str:
    return f"{service}.asyncapi.json"


def asyncapi_document(
    service: str, description: str, events: Sequence[tuple[str, int, str]]
) -> dict[str, Any]:
    """`events` = (event_type, schema_version, payload schema file) of every event the service publishes."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, version, payload_file in sorted(events):
        channel_id = event_type
        message_id = f"{event_type}.v{version}"
        messages[message_id] = _message(event_type, version, payload_file)
        channels[channel_id] = {
            "address": f"{{prefix}}.{service}.{{stream_type}}.{event_type}",
            "title": event_type,
            "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
            "parameters": {
                "prefix": {"$ref": "#/components/parameters/prefix"},
                "stream_type": {"$ref": "#/components/parameters/stream_type"},
            },
        }
        operations[f"publish.{event_type}"] = {
            "action": "send",
            "title": f"{service} publishes {event_type}",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": f"urn:rinnalla:{service}:events",
        "info": {
            "title": f"Rinnalla {service} events",
            "version": DOCUMENT_VERSION,
            "description": (
                f"{description}\n\nEvents are published to the JetStream stream `<PREFIX>_{service.upper()}`"
                f" (`RINNALLA_{service.upper()}` by default) on subjects `<prefix>.{service}.>`, each exactly once"
                " and in the order of the service's log. Personal fields are encrypted per person;"
                " see README.md beside this document."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "nats": {
                "host": "{host}",
                "protocol": "nats",
                "description": "The deployment's NATS server with JetStream.",
                "variables": {"host": {"default": "localhost:4222", "description": "host:port of NATS"}},
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "parameters": {
                "prefix": {
                    "default": "rinnalla",
                    "description": "The deployment's subject prefix (RINNALLA_SUBJECT_PREFIX).",
                },
                "stream_type": {
                    "description": "The kind of stream (aggregate) the event belongs to, e.g. `child` or `team`.",
                },
            },
        },
    }


def _message(event_type: str, version: int, payload_file: str) -> dict[str, Any]:
    return {
        "name": event_type,
        "title": f"{event_type} v{version}",
        "contentType": "application/json",
        "headers": {
            "schemaFormat": SCHEMA_FORMAT,
            "schema": {
                "$schema": JSON_SCHEMA_DIALECT,
                "allOf": [{"$ref": f"{ENVELOPE_FILE}{HEADERS_POINTER}"}],
                "properties": {
                    HEADER_EVENT_TYPE: {"const": event_type},
                    HEADER_SCHEMA_VERSION: {"const": str(version)},
                },
            },
        },
        "payload": {
            "schemaFormat": SCHEMA_FORMAT,
            "schema": {
                "$schema": JSON_SCHEMA_DIALECT,
                "allOf": [{"$ref": ENVELOPE_FILE}],
                "properties": {
                    "event_type": {"const": event_type},
                    "schema_version": {"const": version},
                    "payload": {"$ref": payload_file},
                },
            },
        },
        "x-schema-version": version,
    }
