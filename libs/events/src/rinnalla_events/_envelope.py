"""The envelope every event travels in: in the event store, on the bus, into projections."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class EventMetadata(BaseModel):
    """Who caused an event, for whom, and in which trace: supplied by the command's caller."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str | None = Field(default=None, pattern=r"^\d{3}$", description="municipality code (kuntanumero)")
    actor: str = Field(min_length=1, description="user or system that caused the event")
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    occurred_at: datetime | None = Field(default=None, description="when it happened; defaults to now")


class Envelope(BaseModel):
    """A stored event. `payload` is the stored form: personal fields are ciphertext, never plaintext."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    stream_type: str = Field(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_.-]*$")
    stream_id: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1, description="position of the event in its stream, from 1")
    position: int = Field(ge=0, description="global position in the service's event store (0 = not yet stored)")
    event_type: str = Field(min_length=1, max_length=200)
    schema_version: int = Field(ge=1)
    occurred_at: datetime
    recorded_at: datetime
    tenant: str | None = Field(default=None, pattern=r"^\d{3}$")
    actor: str
    correlation_id: UUID
    causation_id: UUID | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    payload: dict[str, Any]

    def to_wire(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_wire(cls, data: bytes) -> Envelope:
        return cls.model_validate_json(data)
