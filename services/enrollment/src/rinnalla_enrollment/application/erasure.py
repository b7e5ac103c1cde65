"""Erasing a child or a guardian (GDPR art. 17): destroy the person's data key and record `SubjectErased`.

Destroying the key makes every copy of the person's personal fields unreadable at once, in the event
store and on the bus (crypto-shredding); the `SubjectErased` event makes every projection purge the rows
it derived from the person. Only the named person is erased: a child's guardians are separate people
with their own key (a child's erasure removes the rows that link the guardians to that child).

A child still enrolled in a team cannot be erased: the team's roster would keep counting them. The
exit (or completion) is recorded first; the retention job erases former participants when their period
has run.

Erasing a child also deletes their lookup keys from the identity index and releases their claim (see
identity_index.py), so that nothing derived from the identity code remains and the person may be enrolled
again; the release comes after the key is destroyed and a repeated erasure completes it.

The free text of a partnership or a team (a failed negotiation's or an ending's reason, a termination's
details) is encrypted with a key of its own record (ADR 0004, kind `record`): `erase_record_text` shreds
it, leaving the record's structured facts.

Where a person belongs and what they claimed are asked through the ports of ports.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rinnalla_events import EventStore, KeyStore, erase_subject, load

from rinnalla_enrollment.application.deciders import CHILD, PARTNERSHIP, TEAM
from rinnalla_enrollment.application.identity_index import release_identity
from rinnalla_enrollment.application.ports import IdentityClaims, SubjectDirectory, SubjectKind
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.events import RECORD_KIND, partnership_record, team_record
from rinnalla_enrollment.domain.values import ChildStatus

RecordKind = Literal["partnership", "team"]


class StillEnrolled(Exception):
    """The child is active in a team: record the exit first."""

    def __init__(self, child_id: str, team_id: str | None) -> None:
        self.child_id = child_id
        self.team_id = team_id
        super().__init__(
            f"child {child_id} is enrolled in team {team_id}; record the exit (or completion) first, then erase"
        )


@dataclass(frozen=True)
class ErasureOutcome:
    subject_id: str
    subject_kind: str
    tenant: str | None
    erased_at: datetime
    already_erased: bool


async def load_child(store: EventStore, child_id: str) -> ChildState:
    state, _version = await load(store, CHILD, child_id)
    return state


def refuse_if_enrolled(state: ChildState) -> None:
    if state.status == ChildStatus.ACTIVE:
        raise StillEnrolled(state.child_id, state.active_team_id)


class Eraser:
    """Erases one person: key first, then the event, once (repeating it answers the first erasure)."""

    def __init__(
        self,
        store: EventStore,
        keys: KeyStore,
        directory: SubjectDirectory,
        identity_claims: IdentityClaims,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._keys = keys
        self.directory = directory
        self._identity_claims = identity_claims
        self._clock = clock

    async def erase(
        self, subject_id: str, kind: SubjectKind, *, reason: str, actor: str, tenant: str | None
    ) -> ErasureOutcome:
        before = await self.directory.erased(subject_id)
        if before is not None:
            # A repeat also finishes an erasure that stopped between the key and the identity index.
            await self._release_identity(subject_id, before.subject_kind, actor, before.tenant)
            return ErasureOutcome(subject_id, before.subject_kind, before.tenant, before.erased_at, True)
        await erase_subject(self._store, self._keys, subject_id, kind, reason, actor, tenant)
        await self._release_identity(subject_id, kind, actor, tenant)
        after = await self.directory.erased(subject_id)
        erased_at = after.erased_at if after is not None else self._clock()
        return ErasureOutcome(subject_id, kind, tenant, erased_at, False)

    async def _release_identity(self, subject_id: str, kind: str, actor: str, tenant: str | None) -> None:
        """An erased child no longer holds their identity: the person may be enrolled again."""
        if kind == "child":
            await release_identity(self._store, self._identity_claims, subject_id, actor=actor, tenant=tenant)


@dataclass(frozen=True)
class RecordTextErasure:
    record_id: str
    tenant: str
    already_erased: bool


async def record_tenant(store: EventStore, kind: RecordKind, record_id: str) -> str | None:
    """The municipality of a partnership or a team, None when there is no such record."""
    if kind == "partnership":
        partnership, _version = await load(store, PARTNERSHIP, record_id)
        return partnership.municipality_code or None
    team_state, _version = await load(store, TEAM, record_id)
    return team_state.municipality_code or None


async def erase_record_text(
    store: EventStore, keys: KeyStore, kind: RecordKind, record_id: str, *, reason: str, actor: str, tenant: str
) -> RecordTextErasure:
    """Shred the key of a partnership's or a team's free text (reasons, details): every copy of it, in the
    event store and on the bus, becomes unreadable; the record's structured facts stay. Safe to repeat."""
    subject = partnership_record(record_id) if kind == "partnership" else team_record(record_id)
    already = await keys.is_erased(subject)
    await erase_subject(store, keys, subject, RECORD_KIND, reason, actor, tenant)
    return RecordTextErasure(subject, tenant, already)
