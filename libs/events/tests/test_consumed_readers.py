"""A consumer decodes a producer's stored events into its own reader models: only the fields it declares,
personal fields decrypted for the kinds of person it may read and `NOT_DISCLOSED` for the others."""

from __future__ import annotations

from typing import Annotated, ClassVar

import pytest
from rinnalla_events._codec import EventCodec
from rinnalla_events._consumed import ConsumedEvent, ConsumedValue, register_consumed
from rinnalla_events._crypto import InMemoryKeyStore
from rinnalla_events._envelope import Envelope
from rinnalla_events._errors import SubjectNotDisclosed, UnsupportedSchemaVersion
from rinnalla_events._event import ERASED, NOT_DISCLOSED, DomainEvent, Personal
from rinnalla_events._registry import EventRegistry
from rinnalla_events._subject_kinds import subject_kind


class Guardian(DomainEvent):
    guardian_id: str
    name: Annotated[str, Personal(subject_field="guardian_id")]


class ChildEnrolled(DomainEvent):
    """The producer's event, with more than the consumer reads."""

    event_type: ClassVar[str] = "school.ChildEnrolled"
    schema_version: ClassVar[int] = 2
    child_id: str
    team_id: str
    name: Annotated[str, Personal(subject_field="child_id")]
    guardians: tuple[Guardian, ...]
    mentor_id: str
    mentor_name: Annotated[str, Personal(subject_field="mentor_id")]


class GuardianSeen(ConsumedValue):
    guardian_id: str
    name: Annotated[str, Personal(subject_field="guardian_id")]


class EnrolledChild(ConsumedEvent):
    event_type: ClassVar[str] = "school.ChildEnrolled"
    schema_version: ClassVar[int] = 2
    oldest_schema_version: ClassVar[int | None] = 1
    child_id: str
    name: Annotated[str, Personal(subject_field="child_id")]
    guardians: tuple[GuardianSeen, ...]
    mentor_id: str
    mentor_name: Annotated[str, Personal(subject_field="mentor_id")]


ENROLLED = ChildEnrolled(
    child_id="child-1",
    team_id="team-1",
    name="Aino",
    guardians=(Guardian(guardian_id="guardian-1", name="Maija"),),
    mentor_id="mentor-1",
    mentor_name="Pekka",
)


async def _stored(keys: InMemoryKeyStore, version: int = 2) -> Envelope:
    payload = await EventCodec(EventRegistry([ChildEnrolled]), keys).encode(ENROLLED)
    return Envelope.model_validate(
        {
            "event_id": "00000000-0000-0000-0000-000000000001",
            "stream_type": "child",
            "stream_id": "child-1",
            "version": 1,
            "event_type": ChildEnrolled.event_type,
            "schema_version": version,
            "occurred_at": "2026-08-01T10:00:00+00:00",
            "recorded_at": "2026-08-01T10:00:00+00:00",
            "position": 1,
            "actor": "test",
            "correlation_id": "00000000-0000-0000-0000-000000000002",
            "payload": payload,
        }
    )


class _SharedKeys(InMemoryKeyStore):
    """One key table seen by two services: the consumer limited to some kinds."""

    def __init__(self, producer: InMemoryKeyStore, readable_kinds: frozenset[str]) -> None:
        super().__init__(readable_kinds=readable_kinds)
        self._keys = producer._keys


async def test_the_consumer_reads_its_fields_and_the_kinds_of_person_it_may_read() -> None:
    producer_keys = InMemoryKeyStore()
    stored = await _stored(producer_keys)
    consumer_keys = _SharedKeys(producer_keys, frozenset({"child", "guardian"}))
    consumer = EventCodec(register_consumed(EventRegistry(), [EnrolledChild]), consumer_keys)
    event = (await consumer.decode(stored)).event
    assert event == EnrolledChild(
        child_id="child-1",
        name="Aino",
        guardians=(GuardianSeen(guardian_id="guardian-1", name="Maija"),),
        mentor_id="mentor-1",
        mentor_name=NOT_DISCLOSED,
    )
    await producer_keys.destroy("child-1")
    erased = (await consumer.decode(stored)).event
    assert isinstance(erased, EnrolledChild)
    assert (erased.name, erased.mentor_name) == (ERASED, NOT_DISCLOSED)  # erased and not disclosed stay distinct


async def test_an_older_version_the_reader_declares_reads_unchanged_and_a_newer_one_is_refused() -> None:
    keys = InMemoryKeyStore()
    registry = register_consumed(EventRegistry(), [EnrolledChild])
    codec = EventCodec(registry, keys)
    assert isinstance((await codec.decode(await _stored(keys, version=1))).event, EnrolledChild)
    with pytest.raises(UnsupportedSchemaVersion):
        await codec.decode(await _stored(keys, version=3))


async def test_a_service_cannot_write_personal_data_of_a_kind_it_may_not_read() -> None:
    keys = InMemoryKeyStore(readable_kinds={"child", "guardian"})
    with pytest.raises(SubjectNotDisclosed, match="mentor"):
        await EventCodec(EventRegistry([ChildEnrolled]), keys).encode(ENROLLED)


def test_only_readers_register_as_consumed_events() -> None:
    with pytest.raises(TypeError, match="not a ConsumedEvent"):
        register_consumed(EventRegistry(), [ChildEnrolled])  # type: ignore[list-item]


def test_the_kind_of_a_subject_is_its_id_prefix() -> None:
    assert [subject_kind(sid) for sid in ("child-092-0001", "guardian-1", "mentor-0001", "c1")] == [
        "child",
        "guardian",
        "mentor",
        "c1",
    ]
