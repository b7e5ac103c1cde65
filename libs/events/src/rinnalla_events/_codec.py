"""Turns domain events into stored payloads and back, encrypting personal fields per person.

A personal field is stored as `{"$pii": <subject id>, "ct": <base64 nonce + AES-GCM ciphertext>}`, with
the subject id as associated data so a ciphertext cannot be moved to another person. When the subject's
key has been destroyed the field reads back as `ERASED`; when the subject is of a kind this service may
not read (ADR 0004), as `NOT_DISCLOSED`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from rinnalla_events._crypto import KeyStore, open_sealed, seal
from rinnalla_events._envelope import Envelope
from rinnalla_events._errors import InvalidEnvelope, SubjectAlreadyErased
from rinnalla_events._event import ERASED, NOT_DISCLOSED, DomainEvent, personal_fields
from rinnalla_events._registry import EventRegistry

PII_MARK = "$pii"


@dataclass(frozen=True)
class RecordedEvent:
    """A stored envelope together with its decoded (decrypted, upcast) event."""

    envelope: Envelope
    event: DomainEvent


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    args = getattr(annotation, "__args__", None)
    if args:
        found: list[type[BaseModel]] = []
        for arg in args:
            found.extend(_model_types(arg))
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _walk_personal(model: type[BaseModel], data: Any, visit: Callable[[dict[str, Any], str, str], None]) -> None:
    """Call visit(container, field, subject_id) for every personal field in a dumped model."""
    if not isinstance(data, dict):
        return
    for name, marker in personal_fields(model).items():
        if name in data and data[name] is not None:
            subject = data.get(marker.subject_field)
            if not isinstance(subject, str) or not subject:
                raise InvalidEnvelope(f"{model.__name__}.{name} is personal but {marker.subject_field} is empty")
            visit(data, name, subject)
    for name, info in model.model_fields.items():
        nested = _model_types(info.annotation)
        if not nested or name not in data:
            continue
        value = data[name]
        items = value if isinstance(value, list) else [value]
        for item in items:
            _walk_personal(nested[0], item, visit)


def _sealed_fields(data: Any, found: list[tuple[dict[str, Any], str]]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and PII_MARK in value:
                found.append((data, key))
            else:
                _sealed_fields(value, found)
    elif isinstance(data, list):
        for item in data:
            _sealed_fields(item, found)


class EventCodec:
    def __init__(self, registry: EventRegistry, keys: KeyStore) -> None:
        self.registry = registry
        self.keys = keys

    async def encode(self, event: DomainEvent) -> dict[str, Any]:
        """The stored form of an event's payload. Refuses to write data of an erased person."""
        payload = event.model_dump(mode="json")
        places: list[tuple[dict[str, Any], str, str]] = []
        _walk_personal(type(event), payload, lambda c, f, s: places.append((c, f, s)))
        if not places:
            return payload
        keys = await self.keys.keys_for_writing(s for _, _, s in places)
        for container, field, subject in places:
            key = keys.get(subject)
            if key is None:
                raise SubjectAlreadyErased(subject)
            plaintext = json.dumps(container[field]).encode()
            container[field] = {
                PII_MARK: subject,
                "ct": base64.b64encode(seal(key, plaintext, subject.encode())).decode(),
            }
        return payload

    async def decrypt_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A plaintext copy of a stored payload; erased subjects' fields become ERASED, those of kinds this
        service may not read NOT_DISCLOSED."""
        copy: dict[str, Any] = json.loads(json.dumps(payload))
        places: list[tuple[dict[str, Any], str]] = []
        _sealed_fields(copy, places)
        if not places:
            return copy
        subjects = {str(c[f][PII_MARK]) for c, f in places}
        keys = await self.keys.keys_for_reading(sid for sid in subjects if self.keys.discloses(sid))
        for container, field in places:
            sealed = container[field]
            if not self.keys.discloses(str(sealed[PII_MARK])):
                container[field] = NOT_DISCLOSED
                continue
            key = keys.get(sealed[PII_MARK])
            if key is None:
                container[field] = ERASED
                continue
            raw = open_sealed(key, base64.b64decode(sealed["ct"]), str(sealed[PII_MARK]).encode())
            container[field] = json.loads(raw)
        return copy

    async def decode(self, envelope: Envelope) -> RecordedEvent:
        plaintext = await self.decrypt_payload(envelope.payload)
        event = self.registry.validate(envelope.event_type, envelope.schema_version, plaintext)
        return RecordedEvent(envelope, event)
