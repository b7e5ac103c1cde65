"""What the application asks of the event log beyond loading and appending a stream: queries across
streams, declared here and answered by adapters (PostgreSQL in the service, in memory in pure tests).

Every answer comes from plaintext, non-personal columns only (ids, tenants, dates, event types): deciding
where a person belongs or when their records are due needs nobody's name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from rinnalla_enrollment.domain.records import LegalHold, TeamRegisterRecorded

SubjectKind = Literal["child", "guardian"]


@dataclass(frozen=True)
class ErasedSubject:
    """Where an erased person belonged (their tenant), from the `SubjectErased` event."""

    subject_id: str
    subject_kind: str
    tenant: str | None
    erased_at: datetime


class SubjectDirectory(Protocol):
    """Where a person belongs, from the event store itself (not the lagging read model)."""

    async def erased(self, subject_id: str) -> ErasedSubject | None:
        """The person's erasure, if they were erased."""
        ...

    async def child_tenant(self, child_id: str) -> str | None:
        """The municipality of the child's stream; None for a child never nominated."""
        ...

    async def guardian_tenants(self, guardian_id: str) -> frozenset[str]:
        """The municipalities of the children whose events name this guardian."""
        ...


class IdentityClaims(Protocol):
    """The identity index: which identity stream a lookup key points to, and which streams a child claimed.

    The lookup key (a keyed hash of the identity code) lives only in a mutable table, never in the event log;
    the log knows an identity stream only by a random id. Erasure deletes the lookup key (`forget`), so
    nothing derived from the identity code outlives the person.
    """

    async def stream_of(self, lookup_key: str) -> str:
        """The identity stream of this lookup key: the one already recorded, or a new random id (kept)."""
        ...

    async def forget(self, stream_ids: Collection[str]) -> int:
        """Delete the lookup keys pointing to these identity streams; returns how many were deleted."""
        ...

    async def claimed_by(self, child_id: str) -> list[str]:
        """The identity streams this child ever claimed, released or not."""
        ...


@dataclass(frozen=True)
class ChildStatusFacts:
    """A child not yet erased, with their latest status event: what the retention policy decides from."""

    child_id: str
    tenant: str | None
    status_event: str
    status_payload: Mapping[str, Any]  # the event's stored payload; only its plaintext dates are read
    guardian_ids: frozenset[str]
    team_ids: frozenset[str] = frozenset()  # every team the child was ever enrolled in or moved to
    last_team_id: str | None = None  # the team the child was in last (its register holds the record)


class RetentionFacts(Protocol):
    async def children(self, status_events: Collection[str]) -> list[ChildStatusFacts]:
        """Every child not yet erased who has one of `status_events`, with the latest of them."""
        ...

    async def erased_subjects(self) -> frozenset[str]:
        """Every person (child or guardian) erased so far."""
        ...

    async def team_registers(self) -> Mapping[str, TeamRegisterRecorded]:
        """Each team's latest recorded register, by team id (a team with none is in the programme's own)."""
        ...

    async def legal_holds(self) -> list[LegalHold]:
        """Every legal hold ever placed, lifted or not (the caller asks which are in force on a day)."""
        ...


class SubjectEraser(Protocol):
    """Erases one person; raises if it could not (the caller reports and retries later)."""

    async def erase(
        self, subject_id: str, kind: SubjectKind, *, reason: str, actor: str, tenant: str | None
    ) -> object:
        ...
