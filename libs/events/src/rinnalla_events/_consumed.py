"""Tolerant readers: how a service reads another service's events without importing it.

A consuming service declares, for each event it reads, a model of just the fields it uses, under the
producer's event type and the schema versions it was checked against::

    class MentorAssigned(ConsumedEvent):
        event_type: ClassVar[str] = "enrollment.MentorAssigned"
        schema_version: ClassVar[int] = 1
        team_id: str
        mentor_id: str

Fields it does not name are ignored, so the producer may add fields freely. A personal field it needs is
marked `Personal(subject_field=...)` like the producer's: it arrives decrypted, or as `ERASED` /
`NOT_DISCLOSED`. `register_consumed` puts the readers in the service's registry, so its projections decode
the producer's envelopes into them. The contract test (`contracts.py`) checks every reader against the
producer's published JSON Schema.

A reader reads the versions `oldest_schema_version` to `schema_version` of its event as they are: when
the producer publishes a new version that changes nothing this reader uses, the reader raises
`schema_version` (after the contract test agrees) instead of writing an upcaster.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from rinnalla_events._event import DomainEvent
from rinnalla_events._registry import EventRegistry


class ConsumedEvent(DomainEvent):
    """Base of a reader model of another service's event: ignores fields it does not declare."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    oldest_schema_version: ClassVar[int | None] = None
    """The oldest version of the producer's event this reader reads unchanged; None: `schema_version` only."""

    @classmethod
    def publisher(cls) -> str:
        """The producing service: the event type's prefix (`enrollment` in `enrollment.ChildEnrolled`)."""
        return cls.event_type.split(".", 1)[0]

    @classmethod
    def versions_read(cls) -> range:
        oldest = cls.schema_version if cls.oldest_schema_version is None else cls.oldest_schema_version
        return range(oldest, cls.schema_version + 1)


class ConsumedValue(BaseModel):
    """Base of a nested value inside a reader model (a guardian, a school): ignores undeclared fields."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def _unchanged(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


def register_consumed(registry: EventRegistry, readers: Iterable[type[ConsumedEvent]]) -> EventRegistry:
    """Register each reader under its producer's event type; older versions it reads pass unchanged."""
    for reader in readers:
        if not issubclass(reader, ConsumedEvent):
            raise TypeError(f"{reader.__name__} is not a ConsumedEvent (a reader of another service's event)")
        versions = reader.versions_read()
        if not versions:
            raise ValueError(f"{reader.__name__}: oldest_schema_version is newer than schema_version")
        registry.register(reader)
        for version in versions[:-1]:
            registry.add_upcaster(reader.event_type, version, _unchanged)
    return registry
