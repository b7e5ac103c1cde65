"""Who holds a person's identity: one enrolled child id per person, across all child streams.

A child's own stream cannot see other children, so the same person (the same henkilötunnus, personal
identity code) could be enrolled twice under two child ids. Each person therefore has a stream of
their own, ("identity", <identity key>), where the key is a pseudonym of the identity code computed by
the application layer (the code itself never appears here). The child that enrols claims the stream;
the claim is released when that child is erased.

The claim is the stream's latest `IdentityClaimed` that no `IdentityReleased` of the same child followed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rinnalla_events import DomainEvent

from rinnalla_enrollment.domain.errors import AlreadyExists

STREAM_TYPE = "identity"
ALREADY_ENROLLED = "this person is already enrolled as another child"


class IdentityClaimed(DomainEvent):
    """The child enrolled with this identity; no other child may enrol with it while the claim is held."""

    event_type: ClassVar[str] = "enrollment.IdentityClaimed"
    child_id: str


class IdentityReleased(DomainEvent):
    """The child was erased: the identity may be enrolled again (as a new child)."""

    event_type: ClassVar[str] = "enrollment.IdentityReleased"
    child_id: str


IDENTITY_EVENTS: tuple[type[DomainEvent], ...] = (IdentityClaimed, IdentityReleased)


@dataclass(frozen=True)
class IdentityState:
    holder: str | None = None


@dataclass(frozen=True)
class ClaimIdentity:
    child_id: str
    field: str = "child.hetu"  # where the identity code was in the command, for the refusal


@dataclass(frozen=True)
class ReleaseIdentity:
    child_id: str


def initial() -> IdentityState:
    return IdentityState()


def evolve(state: IdentityState, event: DomainEvent) -> IdentityState:
    match event:
        case IdentityClaimed():
            return IdentityState(holder=event.child_id)
        case IdentityReleased() if event.child_id == state.holder:
            return IdentityState(holder=None)
        case _:
            return state


def decide(state: IdentityState, command: ClaimIdentity | ReleaseIdentity) -> Sequence[DomainEvent]:
    match command:
        case ClaimIdentity():
            if state.holder is not None and state.holder != command.child_id:
                raise AlreadyExists(command.field, ALREADY_ENROLLED)
            # Claimed again by the same child (a re-enrolment): the new event moves the stream's version,
            # so a concurrent claim by another child still conflicts.
            return [IdentityClaimed(child_id=command.child_id)]
        case ReleaseIdentity():
            if state.holder != command.child_id:
                return []
            return [IdentityReleased(child_id=command.child_id)]
