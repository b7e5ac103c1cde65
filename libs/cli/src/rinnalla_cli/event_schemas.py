"""The JSON Schema of every published event, one file per event type: the contract between services.

A service that reacts to another's events declares its own model of them; these files are what it is
checked against. `rinnalla schemas export --check` fails CI when the code and the files disagree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rinnalla_events import personal_paths
from rinnalla_runtime.service import ServiceSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_EVENT_TYPE = re.compile(r"^[a-z][A-Za-z0-9_.-]{0,199}$")


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


def _document(spec: ServiceSpec, event_class: type[Any]) -> tuple[str, str]:
    event_type = getattr(event_class, "event_type", None)
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
        raise SchemaExportError(
            f"{spec.name}: {event_class.__qualname__} needs a class attribute event_type"
            " such as 'enrollment.ChildEnrolled'"
        )
    schema: dict[str, Any] = event_class.model_json_schema(mode="serialization")
    document = {
        "$schema": JSON_SCHEMA_DIALECT,
        "x-event-type": event_type,
        "x-schema-version": int(getattr(event_class, "schema_version", 1)),
        "x-publisher": spec.name,
        # Encrypted per person in the store and on the bus; read back as "[erased]" after erasure.
        "x-personal-fields": personal_paths(event_class),
        **schema,
    }
    return event_type, json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_event_schemas(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """{file name: file content} for every event class of every service."""
    rendered: dict[str, str] = {}
    publishers: dict[str, str] = {}
    for spec in specs:
        for event_class in spec.event_classes:
            event_type, text = _document(spec, event_class)
            if event_type in publishers:
                raise SchemaExportError(
                    f"event type {event_type!r} is published by both {publishers[event_type]} and {spec.name}"
                )
            publishers[event_type] = spec.name
            rendered[f"{event_type}.json"] = text
    return dict(sorted(rendered.items()))


def compare_event_schemas(rendered: dict[str, str], directory: Path) -> SchemaDifferences:
    existing = {path.name: path for path in directory.glob("*.json")} if directory.is_dir() else {}
    return SchemaDifferences(
        missing=tuple(name for name in rendered if name not in existing),
        changed=tuple(
            name for name, text in rendered.items() if name in existing and existing[name].read_text() != text
        ),
        stale=tuple(sorted(name for name in existing if name not in rendered)),
    )


def write_event_schemas(rendered: dict[str, str], directory: Path) -> SchemaDifferences:
    """Make `directory` hold exactly the rendered schemas; returns what had to change."""
    differences = compare_event_schemas(rendered, directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in (*differences.missing, *differences.changed):
        (directory / name).write_text(rendered[name])
    for name in differences.stale:
        (directory / name).unlink()
    return differences
