"""Domain events: tiny immutable pydantic models, named in the past tense.

Personal data is marked on the field with `Personal(subject_field=...)`: the value is encrypted with the
data key of the person whose id is in `subject_field` of the same model, before it reaches the event
store or the bus. Personal fields are strings; once the person is erased they read back as `ERASED`, and
in a service that may not read that kind of person (ADR 0004) as `NOT_DISCLOSED`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

ERASED = "[erased]"
NOT_DISCLOSED = "[not disclosed]"
"""A personal field of a kind of person this service may not read (ADR 0004); the person is not erased."""


@dataclass(frozen=True)
class Personal:
    """Field marker: encrypt this string with the key of the subject named by `subject_field`."""

    subject_field: str


class DomainEvent(BaseModel):
    """Base of every event. Subclasses set `event_type` (stable, dotted, past tense) and `schema_version`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)


@dataclass(frozen=True)
class StreamEvents:
    """New events for one stream: what a decision adds to each stream it changes."""

    stream_type: str
    stream_id: str
    events: tuple[DomainEvent, ...]


def personal_fields(model: type[BaseModel]) -> dict[str, Personal]:
    """The personal fields of a model (not of its nested models), with their markers."""
    found: dict[str, Personal] = {}
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, Personal):
                if meta.subject_field not in model.model_fields:
                    raise TypeError(
                        f"{model.__name__}.{name} names subject field {meta.subject_field!r}, which is not a field"
                    )
                found[name] = meta
    return found
