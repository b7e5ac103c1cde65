"""Checks a consumer's reader models against the JSON Schemas its producer publishes.

The producer's schemas (`rinnalla schemas export`, in `docs/events`) are its contract; a reader
(`ConsumedEvent`) is what a consumer relies on. A reader breaks when:

- the event type it reads is not published, or the producer publishes a version the reader does not read;
- it requires a field the producer does not publish, or may leave out (unless the reader has a default);
- a value the producer may send does not fit the reader's type: string, integer (a number also accepts an
  integer), number, boolean, null, arrays and objects recursively, date and date-time formats, and enums
  (the reader's enum must cover the producer's values, or the reader accepts any string);
- a personal (encrypted) field is not marked `Personal` in the reader, or the reader marks a field
  personal that the producer publishes in clear;
- it forbids fields it does not know (a tolerant reader ignores them).

Schemas are found by their `x-event-type` and `x-schema-version` keys, never by file name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rinnalla_events._consumed import ConsumedEvent
from rinnalla_events._registry import personal_paths

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class PublishedSchemas:
    """The published event schemas, by (event type, schema version)."""

    schemas: Mapping[tuple[str, int], Schema]

    @classmethod
    def from_directory(cls, directory: Path) -> PublishedSchemas:
        return cls.of(json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json")))

    @classmethod
    def of(cls, schemas: Iterable[Schema]) -> PublishedSchemas:
        found: dict[tuple[str, int], Schema] = {}
        for schema in schemas:
            event_type, version = schema.get("x-event-type"), schema.get("x-schema-version")
            if not isinstance(event_type, str) or not isinstance(version, int):
                continue  # not an event schema
            if (event_type, version) in found:
                raise ValueError(f"{event_type} v{version} is published twice")
            found[(event_type, version)] = schema
        return cls(found)

    def versions(self, event_type: str) -> list[int]:
        return sorted(version for known, version in self.schemas if known == event_type)


def check_reader(reader: type[ConsumedEvent], published: PublishedSchemas) -> list[str]:
    """Every way the reader breaks against the published schemas; empty when it holds."""
    name = f"{reader.__module__}.{reader.__qualname__}"
    event_type = reader.event_type
    versions = published.versions(event_type)
    if not versions:
        return [f"{name}: reads {event_type}, which {reader.publisher()} does not publish"]
    problems: list[str] = []
    read = reader.versions_read()
    newest = versions[-1]
    if newest not in read:
        problems.append(
            f"{name}: {reader.publisher()} publishes {event_type} v{newest}, the reader reads "
            f"v{read.start}..v{read.stop - 1}: check the change, then raise schema_version (or add an upcaster)"
        )
    for version in read:
        if version > newest:
            problems.append(f"{name}: reads {event_type} v{version}, which is not published (newest: v{newest})")
        schema = published.schemas.get((event_type, version))
        if schema is None:
            continue  # an older version no longer exported; it was checked when it was current
        checker = _Checker(schema, reader.model_json_schema(mode="validation"), personal_paths(reader))
        problems.extend(f"{name} ({event_type} v{version}): {problem}" for problem in checker.check())
    return problems


def check_readers(readers: Iterable[type[ConsumedEvent]], published: PublishedSchemas) -> list[str]:
    return [problem for reader in readers for problem in check_reader(reader, published)]


class _Checker:
    def __init__(self, producer: Schema, consumer: Schema, consumer_personal: Iterable[str]) -> None:
        self._producer_root = producer
        self._consumer_root = consumer
        self._producer_personal = set(producer.get("x-personal-fields", ()))
        self._consumer_personal = set(consumer_personal)

    def check(self) -> list[str]:
        return self._object(self._producer_root, self._consumer_root, "")

    def _object(self, producer: Schema, consumer: Schema, prefix: str) -> list[str]:
        problems: list[str] = []
        if consumer.get("additionalProperties") is False:
            where = prefix.rstrip(".") or "the event"
            problems.append(f"{where}: the reader forbids unknown fields; a tolerant reader ignores them")
        offered: Mapping[str, Schema] = producer.get("properties", {})
        promised = set(producer.get("required", ()))
        needed = set(consumer.get("required", ()))
        for field, wanted in consumer.get("properties", {}).items():
            path = prefix + field
            sent = offered.get(field)
            if sent is None:
                if field in needed:
                    problems.append(f"{path}: required by the reader, not published by the producer")
                continue
            if field in needed and field not in promised:
                problems.append(f"{path}: required by the reader, optional in the producer (give it a default)")
            producer_personal = path in self._producer_personal or self._marked_personal(sent)
            consumer_personal = path in self._consumer_personal
            if producer_personal and not consumer_personal:
                problems.append(f"{path}: personal (encrypted) on the wire; mark it Personal(subject_field=...)")
            elif consumer_personal and not producer_personal:
                problems.append(f"{path}: marked Personal in the reader, published in clear by the producer")
            elif not producer_personal:
                problems.extend(self._value(sent, wanted, path))
        return problems

    def _value(self, sent: Schema, wanted: Schema, path: str) -> list[str]:
        accepted = _alternatives(wanted, self._consumer_root)
        problems: list[str] = []
        for alternative in _alternatives(sent, self._producer_root):
            problems.extend(self._one_of(alternative, accepted, path))
        return problems

    def _one_of(self, sent: Schema, accepted: list[Schema], path: str) -> list[str]:
        closest: list[str] | None = None
        for candidate in accepted:
            problems = self._fits(sent, candidate, path)
            if not problems:
                return []
            if _kind(candidate) == _kind(sent) and closest is None:
                closest = problems
        if closest is not None:
            return closest
        return [f"{path}: the producer may send {_describe(sent)}, the reader accepts {_describe_all(accepted)}"]

    def _fits(self, sent: Schema, wanted: Schema, path: str) -> list[str]:
        wanted_kind, sent_kind = _kind(wanted), _kind(sent)
        if wanted_kind is None:
            return []  # the reader accepts anything here
        mismatch = [f"{path}: the producer may send {_describe(sent)}, the reader accepts {_describe(wanted)}"]
        if sent_kind == "integer" and wanted_kind == "number":
            return []
        if sent_kind != wanted_kind:
            return mismatch
        if sent_kind == "string":
            return _string_fits(sent, wanted, path)
        if sent_kind == "array":
            items = wanted.get("items")
            return [] if items is None else self._value(sent.get("items", {}), items, path)
        if sent_kind == "object":
            if "properties" not in wanted:
                return []
            return self._object(sent, wanted, path + ".")
        return []

    def _marked_personal(self, sent: Schema) -> bool:
        """A personal field as a wire-form schema may describe it: a sealed object, or an explicit mark."""
        if sent.get("x-personal"):
            return True
        return any(
            "$pii" in alternative.get("properties", {}) for alternative in _alternatives(sent, self._producer_root)
        )


def _string_fits(sent: Schema, wanted: Schema, path: str) -> list[str]:
    wanted_format = wanted.get("format")
    if wanted_format is not None and sent.get("format") != wanted_format:
        return [f"{path}: the producer may send {_describe(sent)}, the reader accepts {_describe(wanted)}"]
    wanted_values = wanted.get("enum")
    if wanted_values is None:
        return []
    sent_values = sent.get("enum")
    if sent_values is None:
        only = sorted(wanted_values)
        return [f"{path}: the producer may send any string, the reader accepts only {only} (accept str)"]
    missing = sorted(set(sent_values) - set(wanted_values))
    if missing:
        return [f"{path}: the producer may send {missing}, which the reader's enum lacks (add them or accept str)"]
    return []


def _resolve(schema: Schema, root: Schema) -> Schema:
    seen = 0
    while "$ref" in schema:
        reference = schema["$ref"]
        if not isinstance(reference, str) or not reference.startswith("#/"):
            raise ValueError(f"only local references are supported, got {reference!r}")
        target: Any = root
        for part in reference[2:].split("/"):
            target = target[part]
        schema = {**target, **{key: value for key, value in schema.items() if key != "$ref"}}
        seen += 1
        if seen > 32:
            raise ValueError(f"reference cycle at {reference}")
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        return _resolve({**all_of[0], **rest}, root)
    return schema


def _alternatives(schema: Schema, root: Schema) -> list[Schema]:
    schema = _resolve(schema, root)
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return [found for option in schema[keyword] for found in _alternatives(option, root)]
    kind = schema.get("type")
    if isinstance(kind, list):
        return [{**schema, "type": one} for one in kind]
    return [schema]


def _kind(schema: Schema) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is not None and all(isinstance(value, str) for value in values):
        return "string"
    return None


def _describe(schema: Schema) -> str:
    kind = _kind(schema) or "anything"
    if "enum" in schema:
        return f"{kind} enum {sorted(schema['enum'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _describe_all(schemas: list[Schema]) -> str:
    return " or ".join(_describe(schema) for schema in schemas)
