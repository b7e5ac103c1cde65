"""An ERP client's place in the feed of issued documents: the cursor it has acknowledged.

The feed numbers issued documents in the order they were issued; an ERP reads from a cursor (never a
timestamp) and acknowledges what it has taken in. Acknowledging a cursor at or before the one already
acknowledged changes nothing, so a repeated acknowledgement is harmless."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field
from rinnalla_events import DomainEvent

from rinnalla_billing.domain.commands import Command
from rinnalla_billing.domain.values import Id

STREAM_TYPE = "erp_client"


class AcknowledgeFeed(Command):
    client_id: Id
    cursor: int = Field(ge=0, description="the last feed position the ERP has taken in")


class FeedAcknowledged(DomainEvent):
    event_type: ClassVar[str] = "billing.FeedAcknowledged"
    client_id: str
    cursor: int


@dataclass(frozen=True)
class ErpClientState:
    acknowledged: int = 0


def initial() -> ErpClientState:
    return ErpClientState()


def evolve(state: ErpClientState, event: DomainEvent) -> ErpClientState:
    if isinstance(event, FeedAcknowledged):
        return ErpClientState(acknowledged=event.cursor)
    return state


def decide(state: ErpClientState, command: AcknowledgeFeed) -> list[DomainEvent]:
    if command.cursor <= state.acknowledged:
        return []
    return [FeedAcknowledged(client_id=command.client_id, cursor=command.cursor)]
