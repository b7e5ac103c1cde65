"""Which class reads which event type, and how old schema versions are brought up to date."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from rinnalla_events._errors import InvalidEnvelope, UnknownEventType, UnsupportedSchemaVersion
from rinnalla_events._event import DomainEvent, personal_fields

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventRegistry:
    """Maps `event_type` to its class; upcasters lift stored payloads from version n to n + 1."""

    def __init__(self, classes: Iterable[type[DomainEvent]] = ()) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[DomainEvent]) -> type[DomainEvent]:
        event_type = getattr(cls, "event_type", None)
        if not isinstance(event_type, str) or not event_type:
            raise TypeError(f"{cls.__name__} has no event_type")
        existing = self._classes.get(event_type)
        if existing is not None and existing is not cls:
            raise TypeError(f"event type {event_type!r} is registered twice ({existing.__name__}, {cls.__name__})")
        _check_personal_fields(cls)
        self._classes[event_type] = cls
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def add_upcaster(self, event_type: str, from_version: int, fn: Upcaster) -> None:
        self._upcasters[(event_type, from_version)] = fn

    def class_for(self, event_type: str) -> type[DomainEvent]:
        try:
            return self._classes[event_type]
        except KeyError:
            raise UnknownEventType(f"no event class is registered for {event_type!r}") from None

    def knows(self, event_type: str) -> bool:
        return event_type in self._classes

    @property
    def classes(self) -> list[type[DomainEvent]]:
        return list(self._classes.values())

    def upcast(self, event_type: str, schema_version: int, payload: dict[str, Any]) -> dict[str, Any]:
        cls = self.class_for(event_type)
        if schema_version > cls.schema_version:
            raise UnsupportedSchemaVersion(
                f"{event_type} v{schema_version} is newer than this code understands (v{cls.schema_version})"
            )
        version = schema_version
        while version < cls.schema_version:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnsupportedSchemaVersion(f"no upcaster from {event_type} v{version} to v{version + 1}")
            payload = step(payload)
            version += 1
        return payload

    def validate(self, event_type: str, schema_version: int, payload: dict[str, Any]) -> DomainEvent:
        """Upcast a plaintext payload and build its event; a payload that does not fit fails loudly."""
        cls = self.class_for(event_type)
        current = self.upcast(event_type, schema_version, payload)
        try:
            return cls.model_validate(current)
        except ValidationError as exc:
            raise InvalidEnvelope(f"payload of {event_type} v{schema_version} does not validate: {exc}") from exc

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """The JSON Schema of every event, as partner systems consume them (personal fields marked)."""
        out: dict[str, dict[str, Any]] = {}
        for event_type, cls in sorted(self._classes.items()):
            schema = cls.model_json_schema()
            schema["$id"] = f"urn:rinnalla:event:{event_type}:v{cls.schema_version}"
            schema["x-event-type"] = event_type
            schema["x-schema-version"] = cls.schema_version
            schema["x-personal-fields"] = personal_paths(cls)
            out[event_type] = schema
        return out


def personal_paths(cls: type[Any]) -> list[str]:
    """Dotted paths of an event's personal (encrypted) fields, e.g. ["guardians.name", "hetu"]."""
    return sorted(_personal_paths(cls))


def _check_personal_fields(cls: type[Any]) -> None:
    for name, marker in personal_fields(cls).items():
        annotation = cls.model_fields[name].annotation
        if annotation is not str:
            raise TypeError(f"{cls.__name__}.{name}: personal fields must be str, got {annotation!r}")
        del marker
    for nested in _nested_models(cls):
        _check_personal_fields(nested)


def _nested_models(cls: type[Any]) -> list[type[Any]]:
    from pydantic import BaseModel

    found: list[type[Any]] = []
    for info in cls.model_fields.values():
        for candidate in _types_in(info.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found.append(candidate)
    return found


def _types_in(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    result: list[Any] = []
    for arg in args:
        result.extend(_types_in(arg))
    return result


def _personal_paths(cls: type[Any], prefix: str = "") -> set[str]:
    paths = {prefix + name for name in personal_fields(cls)}
    for name, info in cls.model_fields.items():
        for candidate in _types_in(info.annotation):
            from pydantic import BaseModel

            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                paths |= _personal_paths(candidate, f"{prefix}{name}.")
    return paths
