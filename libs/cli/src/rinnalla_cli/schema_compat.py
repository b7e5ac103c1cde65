"""Is a change to a published schema compatible? The evolution rules of docs/events/README.md.

Within one schema version a schema may only gain optional fields (and change annotations such as titles
and descriptions). Anything else (a removed field, a newly required or no longer required field, a
changed type, format or constraint, an enum with values removed or added) needs a new schema version
(a new `<event_type>.v<n+1>.json`) and an upcaster from the old one; the old file stays as published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rinnalla_cli.event_schemas import VERSIONED_FILE
from rinnalla_cli.wire_schemas import ENVELOPE_FILE

# Keywords that describe but do not constrain: changing them breaks no reader.
_ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "default", "deprecated"})


@dataclass(frozen=True)
class Incompatibility:
    file: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file} {self.where or '/'}: {self.reason}"


def is_contract(name: str) -> bool:
    """Files that are wire contracts: the envelope and `<event_type>.v<n>.json` (not derived documents)."""
    return name == ENVELOPE_FILE or VERSIONED_FILE.match(name) is not None


def compare_schema_sets(before: dict[str, str], after: dict[str, str]) -> list[Incompatibility]:
    """Incompatible changes from `before` to `after`, both {file name: text}; new files are always fine."""
    found: list[Incompatibility] = []
    for name in sorted(n for n in before if is_contract(n)):
        if name not in after:
            found.append(Incompatibility(name, "", "a published schema was removed (keep it: messages remain)"))
            continue
        found += [
            Incompatibility(name, where, reason)
            for where, reason in schema_changes(json.loads(before[name]), json.loads(after[name]))
        ]
    return found


def schema_changes(old: Any, new: Any, where: str = "") -> list[tuple[str, str]]:
    """(JSON pointer, reason) of every incompatible difference between two schemas."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [] if old == new else [(where, f"changed from {_show(old)} to {_show(new)}")]
    found: list[tuple[str, str]] = []
    for key in sorted(set(old) | set(new)):
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        here = f"{where}/{key}"
        if key not in new:
            found.append((here, f"`{key}` was removed"))
        elif key not in old:
            found.append((here, f"`{key}` was added"))
        elif key == "properties":
            found += _properties(old[key], new[key], here)
        elif key == "required":
            found += _required(old[key], new[key], where)
        elif key == "enum":
            found += _enum(old[key], new[key], here)
        elif key == "type" and old[key] != new[key]:
            found.append((here, f"changed type from {_show(old[key])} to {_show(new[key])}"))
        elif key == "$defs":
            found += _definitions(old[key], new[key], here)
        elif isinstance(old[key], list) and isinstance(new[key], list) and len(old[key]) == len(new[key]):
            for index, (before, after) in enumerate(zip(old[key], new[key], strict=True)):
                found += schema_changes(before, after, f"{here}/{index}")
        else:
            found += schema_changes(old[key], new[key], here)
    return found


def _properties(old: dict[str, Any], new: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = [(f"{where}/{name}", f"removed field `{name}`") for name in old if name not in new]
    for name in old:
        if name in new:
            found += schema_changes(old[name], new[name], f"{where}/{name}")
    return found  # added fields are fine; whether they are required is `_required`'s question


def _required(old: list[str], new: list[str], where: str) -> list[tuple[str, str]]:
    found = [(f"{where}/required", f"newly required field `{name}`") for name in new if name not in old]
    found += [(f"{where}/required", f"field `{name}` is no longer required") for name in old if name not in new]
    return found


def _enum(old: list[Any], new: list[Any], where: str) -> list[tuple[str, str]]:
    removed = [value for value in old if value not in new]
    added = [value for value in new if value not in old]
    found = [(where, f"narrowed enum: removed {_show(removed)}")] if removed else []
    return found + ([(where, f"widened enum: added {_show(added)}")] if added else [])


def _definitions(old: dict[str, Any], new: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = [(f"{where}/{name}", f"removed definition `{name}`") for name in old if name not in new]
    for name in old:
        if name in new:
            found += schema_changes(old[name], new[name], f"{where}/{name}")
    return found


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
