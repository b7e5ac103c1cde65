from __future__ import annotations

from typing import Annotated, ClassVar

import pytest
from rinnalla_events._codec import EventCodec
from rinnalla_events._crypto import InMemoryKeyStore
from rinnalla_events._envelope import Envelope
from rinnalla_events._errors import InvalidEnvelope, UnknownEventType, UnsupportedSchemaVersion
from rinnalla_events._event import DomainEvent, Personal
from rinnalla_events._registry import EventRegistry
from rinnalla_events.sample_events import ChildRegistered, Counted, registry


def test_unknown_event_type_fails_loudly() -> None:
    with pytest.raises(UnknownEventType, match=r"test\.Nope"):
        registry().validate("test.Nope", 1, {})


def test_old_schema_versions_are_upcast_on_read() -> None:
    assert registry().validate("test.Counted", 1, {"n": 3}) == Counted(n=3, label="unlabelled")


def test_a_newer_schema_than_the_code_is_refused() -> None:
    with pytest.raises(UnsupportedSchemaVersion):
        registry().validate("test.Counted", 3, {"n": 3, "label": "x"})


def test_a_payload_that_does_not_fit_its_schema_is_refused() -> None:
    with pytest.raises(InvalidEnvelope, match=r"test\.Counted"):
        registry().validate("test.Counted", 2, {"n": "many", "label": "x"})
    with pytest.raises(InvalidEnvelope):
        registry().validate("test.Counted", 2, {"n": 1, "label": "x", "unexpected": True})


def test_bad_envelopes_are_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Envelope.model_validate({"event_id": "not-a-uuid", "stream_type": "Child Stream"})
    with pytest.raises(ValidationError):
        Envelope.from_wire(b"{not json")


def test_personal_fields_must_be_strings_naming_a_real_subject_field() -> None:
    class BadType(DomainEvent):
        event_type: ClassVar[str] = "test.BadType"
        child_id: str
        born: Annotated[int, Personal("child_id")]

    class BadSubject(DomainEvent):
        event_type: ClassVar[str] = "test.BadSubject"
        name: Annotated[str, Personal("person_id")]

    with pytest.raises(TypeError, match="must be str"):
        EventRegistry([BadType])
    with pytest.raises(TypeError, match="person_id"):
        EventRegistry([BadSubject])


def test_json_schemas_name_the_personal_fields() -> None:
    schemas = registry().json_schemas()
    assert schemas["test.ChildRegistered"]["x-personal-fields"] == ["guardians.name", "hetu", "name"]
    assert schemas["test.Counted"]["x-schema-version"] == 2


async def test_ciphertext_cannot_be_moved_to_another_person() -> None:
    codec = EventCodec(registry(), InMemoryKeyStore())
    a = await codec.encode(ChildRegistered(child_id="a", name="A", hetu="x", school="s"))
    b = await codec.encode(ChildRegistered(child_id="b", name="B", hetu="y", school="s"))
    swapped = {**b, "name": {**a["name"], "$pii": "b"}}
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        await codec.decrypt_payload(swapped)
