"""Sample events for the library's own tests and benchmarks (not used by services)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict

from rinnalla_events._event import DomainEvent, Personal
from rinnalla_events._registry import EventRegistry


class Guardian(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    guardian_id: str
    name: Annotated[str, Personal("guardian_id")]


class ChildRegistered(DomainEvent):
    event_type: ClassVar[str] = "test.ChildRegistered"
    child_id: str
    name: Annotated[str, Personal("child_id")]
    hetu: Annotated[str, Personal("child_id")]
    school: str
    guardians: tuple[Guardian, ...] = ()


class Counted(DomainEvent):
    event_type: ClassVar[str] = "test.Counted"
    schema_version: ClassVar[int] = 2
    n: int
    label: str


def registry() -> EventRegistry:
    reg = EventRegistry([ChildRegistered, Counted])
    # v1 of Counted had no label
    reg.add_upcaster("test.Counted", 1, lambda p: {**p, "label": "unlabelled"})
    return reg
