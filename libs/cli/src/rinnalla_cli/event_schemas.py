"""docs/events: the published contracts, generated from the code.

- `envelope.json`: the JSON body of every message on a Rinnalla stream and the NATS headers the relay sets;
- `<event_type>.v<schema_version>.json`: each event's payload as published (personal fields encrypted);
- `<service>.asyncapi.json`: per publishing service, its subjects and messages (AsyncAPI 3.0).

Files of an older schema version of an event that still exists are history: partners may still read such
messages off the stream, so they are kept as they are and never rewritten. `rinnalla schemas export
--check` fails CI when the code and the files disagree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rinnalla_runtime.service import ServiceSpec

from rinnalla_cli.asyncapi import asyncapi_document, asyncapi_file_name
from rinnalla_cli.wire_schemas import (
    ENVELOPE_FILE,
    JSON_SCHEMA_DIALECT,
    WireSchemaError,
    envelope_document,
    payload_document,
    payload_file_name,
)

__all__ = ["JSON_SCHEMA_DIALECT", "SchemaDifferences", "SchemaExportError", "render_event_schemas"]

_EVENT_TYPE = re.compile(r"^[a-z][A-Za-z0-9_.-]{0,199}$")
VERSIONED_FILE = re.compile(r"^(?P<event_type>.+)\.v(?P<version>[1-9][0-9]*)\.json$")


class SchemaExportError(ValueError):
    pass


@dataclass(frozen=True)
class SchemaDifferences:
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed or self.stale)


def _event_type(spec: ServiceSpec, event_class: type[Any]) -> str:
    event_type = getattr(event_class, "event_type", None)
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
        raise SchemaExportError(
            f"{spec.name}: {event_class.__qualname__} needs a class attribute event_type"
            " such as 'enrollment.ChildEnrolled'"
        )
    return event_type


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_event_schemas(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """{file name: file content} of every generated file in docs/events."""
    publishers: dict[str, str] = {}
    rendered: dict[str, str] = {}
    for spec in specs:
        events: list[tuple[str, int, str]] = []
        for event_class in spec.event_classes:
            event_type = _event_type(spec, event_class)
            if event_type in publishers:
                raise SchemaExportError(
                    f"event type {event_type!r} is published by both {publishers[event_type]} and {spec.name}"
                )
            publishers[event_type] = spec.name
            version = int(getattr(event_class, "schema_version", 1))
            name = payload_file_name(event_type, version)
            try:
                rendered[name] = _text(payload_document([spec.name], event_class, event_type))
            except WireSchemaError as exc:
                raise SchemaExportError(f"{spec.name}: {exc}") from exc
            events.append((event_type, version, name))
        if events:
            rendered[asyncapi_file_name(spec.name)] = _text(asyncapi_document(spec.name, spec.description, events))
    if rendered:
        rendered[ENVELOPE_FILE] = _text(envelope_document())
    return dict(sorted(rendered.items()))


def _is_history(name: str, rendered: dict[str, str]) -> bool:
    """An older schema version of an event type whose current version is rendered."""
    match = VERSIONED_FILE.match(name)
    if match is None:
        return False
    event_type, version = match["event_type"], int(match["version"])
    for other in rendered:
        current = VERSIONED_FILE.match(other)
        if current is not None and current["event_type"] == event_type and int(current["version"]) > version:
            return True
    return False


def compare_event_schemas(rendered: dict[str, str], directory: Path) -> SchemaDifferences:
    existing = {path.name: path for path in directory.glob("*.json")} if directory.is_dir() else {}
    return SchemaDifferences(
        missing=tuple(name for name in rendered if name not in existing),
        changed=tuple(
            name for name, text in rendered.items() if name in existing and existing[name].read_text() != text
        ),
        stale=tuple(
            sorted(name for name in existing if name not in rendered and not _is_history(name, rendered))
        ),
    )


def write_event_schemas(rendered: dict[str, str], directory: Path) -> SchemaDifferences:
    """Make `directory` hold exactly the rendered files (and the history); returns what had to change."""
    differences = compare_event_schemas(rendered, directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in (*differences.missing, *differences.changed):
        (directory / name).write_text(rendered[name])
    for name in differences.stale:
        (directory / name).unlink()
    return differences
