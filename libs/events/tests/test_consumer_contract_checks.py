"""The contract check fails on each breaking change a producer can make, and passes what a tolerant reader
survives. The producer's schemas here are crafted by hand, as `rinnalla schemas export` writes them."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

import pytest
from pydantic import ConfigDict
from rinnalla_events._consumed import ConsumedEvent, ConsumedValue
from rinnalla_events._contracts import PublishedSchemas, check_reader
from rinnalla_events._event import Personal


def _producer(version: int = 1) -> dict[str, Any]:
    return {
        "x-event-type": "shop.OrderPlaced",
        "x-schema-version": version,
        "x-personal-fields": ["buyer_name", "contacts.phone"],
        "$defs": {
            "Channel": {"enum": ["web", "phone"], "type": "string"},
            "Contact": {
                "additionalProperties": False,
                "properties": {
                    "contact_id": {"type": "string"},
                    "phone": {"type": "string"},
                    "kind": {"type": "string"},
                },
                "required": ["contact_id", "phone"],
                "type": "object",
            },
        },
        "additionalProperties": False,
        "properties": {
            "order_id": {"type": "string"},
            "buyer_id": {"type": "string"},
            "buyer_name": {"type": "string"},
            "placed_on": {"format": "date", "type": "string"},
            "at": {"format": "date-time", "type": "string"},
            "items": {"type": "integer"},
            "amount_eur": {"pattern": "^[0-9.]+$", "type": "string"},
            "channel": {"$ref": "#/$defs/Channel"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            "contacts": {"items": {"$ref": "#/$defs/Contact"}, "type": "array"},
            "express": {"type": "boolean"},
        },
        "required": [
            "order_id", "buyer_id", "buyer_name", "placed_on", "at", "items", "amount_eur", "channel", "contacts",
            "express",
        ],
        "title": "OrderPlaced",
        "type": "object",
    }


class Channel(StrEnum):
    WEB = "web"
    PHONE = "phone"


class Contact(ConsumedValue):
    contact_id: str
    phone: Annotated[str, Personal(subject_field="contact_id")]


class OrderPlaced(ConsumedEvent):
    event_type: ClassVar[str] = "shop.OrderPlaced"
    order_id: str
    buyer_id: str
    buyer_name: Annotated[str, Personal(subject_field="buyer_id")]
    placed_on: date
    at: datetime
    items: float  # a number accepts the producer's integers
    amount_eur: Decimal
    channel: Channel
    note: str | None = None
    contacts: tuple[Contact, ...]
    express: bool


def _check(reader: type[ConsumedEvent], *schemas: dict[str, Any]) -> list[str]:
    return check_reader(reader, PublishedSchemas.of(schemas or (_producer(),)))


def _changed(change: Any) -> dict[str, Any]:
    schema = copy.deepcopy(_producer())
    change(schema)
    return schema


def test_a_reader_of_the_fields_it_uses_holds_and_ignores_what_it_does_not_read() -> None:
    assert _check(OrderPlaced) == []

    class Minimal(ConsumedEvent):
        event_type: ClassVar[str] = "shop.OrderPlaced"
        order_id: str

    assert _check(Minimal) == []
    assert Minimal.model_validate({"order_id": "o1", "anything": "new"}) == Minimal(order_id="o1")


def test_an_added_producer_field_breaks_no_reader() -> None:
    def add(schema: dict[str, Any]) -> None:
        schema["properties"]["gift_wrap"] = {"type": "boolean"}
        schema["required"].append("gift_wrap")

    assert _check(OrderPlaced, _changed(add)) == []


def test_an_event_type_the_producer_does_not_publish_breaks() -> None:
    class Ghost(ConsumedEvent):
        event_type: ClassVar[str] = "shop.OrderGhosted"
        order_id: str

    assert _check(Ghost) == [f"{__name__}.{Ghost.__qualname__}: reads shop.OrderGhosted, which shop does not publish"]


BREAKING_CHANGES = [
    pytest.param(
        lambda s: (s["properties"].pop("order_id"), s["required"].remove("order_id")),
        "order_id: required by the reader, not published",
        id="field removed",
    ),
    pytest.param(
        lambda s: s["required"].remove("placed_on"),
        "placed_on: required by the reader, optional in the producer",
        id="field made optional",
    ),
    pytest.param(
        lambda s: s["properties"].update(placed_on={"type": "string"}),
        "placed_on: the producer may send string, the reader accepts string (date)",
        id="date became any string",
    ),
    pytest.param(
        lambda s: s["properties"].update(at={"format": "date",
        "type": "string"}), "at: the producer may send string (date), the reader accepts string (date-time)",
        id="date-time became date",
    ),
    pytest.param(
        lambda s: s["properties"].update(items={"type": "string"}),
        "items: the producer may send string",
        id="integer became string",
    ),
    pytest.param(
        lambda s: s["properties"].update(express={"type": "string"}),
        "express: the producer may send string, the reader accepts boolean",
        id="boolean became string",
    ),
    pytest.param(
        lambda s: s["properties"].update(express={"anyOf": [{"type": "boolean"}, {"type": "null"}]}),
        "express: the producer may send null",
        id="boolean became nullable",
    ),
    pytest.param(
        lambda s: s["$defs"]["Channel"]["enum"].append("shop_floor"),
        "channel: the producer may send ['shop_floor'], which the reader's enum lacks",
        id="enum widened",
    ),
    pytest.param(
        lambda s: s["properties"].update(channel={"type": "string"}),
        "channel: the producer may send any string",
        id="enum became string",
    ),
    pytest.param(
        lambda s: s["properties"].update(contacts={"type": "object"}),
        "contacts: the producer may send object, the reader accepts array",
        id="array became object",
    ),
    pytest.param(
        lambda s: s["$defs"]["Contact"]["properties"].update(contact_id={"type": "integer"}),
        "contacts.contact_id: the producer may send integer",
        id="nested type changed",
    ),
    pytest.param(
        lambda s: s["$defs"]["Contact"]["required"].remove("contact_id"),
        "contacts.contact_id: required by the reader, optional in the producer",
        id="nested field made optional",
    ),
    pytest.param(
        lambda s: s["x-personal-fields"].append("order_id"),
        "order_id: personal (encrypted) on the wire; mark it Personal",
        id="field became personal",
    ),
    pytest.param(
        lambda s: s["x-personal-fields"].remove("contacts.phone"),
        "contacts.phone: marked Personal in the reader, published in clear",
        id="field no longer personal",
    ),
]


@pytest.mark.parametrize(("change", "expected"), BREAKING_CHANGES)
def test_a_breaking_change_fails_the_check_and_says_where(change: Any, expected: str) -> None:
    problems = _check(OrderPlaced, _changed(change))
    assert len(problems) == 1, problems
    assert expected in problems[0]
    assert problems[0].startswith(f"{__name__}.OrderPlaced (shop.OrderPlaced v1): ")


def test_a_personal_field_described_in_its_wire_form_needs_the_personal_mark_too() -> None:
    def seal(schema: dict[str, Any]) -> None:
        schema["x-personal-fields"] = []
        sealed = {"type": "object", "properties": {"$pii": {"type": "string"}, "ct": {"type": "string"}}}
        schema["properties"]["buyer_name"] = sealed
        schema["properties"]["order_id"] = {**sealed}

    problems = _check(OrderPlaced, _changed(seal))
    assert len(problems) == 2, problems  # contacts.phone lost its mark; order_id became personal
    assert any("order_id: personal (encrypted) on the wire" in problem for problem in problems)


def test_a_reader_that_forbids_unknown_fields_is_not_tolerant() -> None:
    class Strict(ConsumedEvent):
        model_config = ConfigDict(extra="forbid", frozen=True)
        event_type: ClassVar[str] = "shop.OrderPlaced"
        order_id: str

    assert "the reader forbids unknown fields" in _check(Strict)[0]


def test_a_reader_with_a_default_survives_a_field_the_producer_leaves_out() -> None:
    class Tolerant(ConsumedEvent):
        event_type: ClassVar[str] = "shop.OrderPlaced"
        order_id: str
        coupon: str = ""
        note: str | None = None

    assert _check(Tolerant) == []


def test_a_new_producer_version_breaks_a_reader_until_it_declares_the_version() -> None:
    class ReadsV1(ConsumedEvent):
        event_type: ClassVar[str] = "shop.OrderPlaced"
        order_id: str

    class ReadsV1AndV2(ConsumedEvent):
        event_type: ClassVar[str] = "shop.OrderPlaced"
        schema_version: ClassVar[int] = 2
        oldest_schema_version: ClassVar[int | None] = 1
        order_id: str

    class ReadsV3(ConsumedEvent):
        event_type: ClassVar[str] = "shop.OrderPlaced"
        schema_version: ClassVar[int] = 3
        order_id: str

    v1, v2 = _producer(1), _producer(2)
    [problem] = _check(ReadsV1, v1, v2)
    assert "shop publishes shop.OrderPlaced v2, the reader reads v1..v1" in problem
    assert _check(ReadsV1AndV2, v1, v2) == []
    assert _check(ReadsV1AndV2, v2) == []  # v1's schema is no longer exported: it was checked while current
    assert any("reads shop.OrderPlaced v3, which is not published" in p for p in _check(ReadsV3, v1, v2))


def test_schemas_are_found_by_their_keys_and_a_duplicate_is_refused() -> None:
    published = PublishedSchemas.of([_producer(1), _producer(2), {"title": "not an event"}])
    assert published.versions("shop.OrderPlaced") == [1, 2]
    with pytest.raises(ValueError, match="published twice"):
        PublishedSchemas.of([_producer(1), _producer(1)])
