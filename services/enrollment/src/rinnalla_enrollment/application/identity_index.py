"""One enrolment per person: the identity index that spans child streams.

The lookup key is HMAC-SHA256 of the normalised identity code (all 11 characters: since 2023 the
century sign is part of the identity) under a secret derived from the master key with HKDF. Anyone who
holds the master key can compute it for every possible code (one birth year is about 330,000 codes), so
the lookup key is kept only while the child holds the identity, and only in the mutable table behind the
`IdentityClaims` port (`identity_index`: lookup key -> identity stream id). The event log knows the
identity stream by a random id that says nothing about the code. The key is never logged and never put in
an error message.

Claim: the enrolment finds (or creates) the stream id of the lookup key, then appends
`IdentityClaimed(child_id)` to that stream in the same atomic multi-stream append as the child's and the
team's events, expecting the version it loaded. Another child holding the claim -> 409 on `child.hetu`;
two enrolments of one person racing get the same stream id, one wins, the other gets `ConcurrencyConflict`
(409) and writes nothing.

Release (erasure): the `IdentityClaimed` events carry the child id in plain text, so the erasure finds the
child's identity streams by child id, deletes their lookup keys first (`forget`) and then appends
`IdentityReleased(child_id)` to each stream the child still holds. In that order an enrolment of the same
person that read the stream id before the delete still meets the erased child's claim (409), and every
later one gets a new stream: uniqueness holds throughout, and after the erasure nothing derived from the
identity code is left, neither in the log nor in a table, with or without the master key.
"""

from __future__ import annotations

from rinnalla_events import CommandWriter, ConcurrencyConflict, EventMetadata, EventStore, StreamEvents, load

from rinnalla_enrollment.application.deciders import IDENTITY
from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.application.ports import IdentityClaims
from rinnalla_enrollment.domain import identity

REDACTED = "<identity key>"
_RELEASE_ATTEMPTS = 3


async def claim_identity(
    writer: CommandWriter, keys: IdentityKeys, index: IdentityClaims, child_id: str, hetu: str,
    field: str = "child.hetu",
) -> StreamEvents:
    """The identity stream's share of an enrolment (or of a permanent code recorded later); `AlreadyExists` on
    `field` if another child holds it.

    Loading through the writer records the stream's version, so the commit appends only if nobody
    claimed the identity in between."""
    stream_id = await index.stream_of(keys.key_of(hetu))
    loaded = await writer.load(IDENTITY, stream_id)
    events = identity.decide(loaded.state, identity.ClaimIdentity(child_id=child_id, field=field))
    return StreamEvents(identity.STREAM_TYPE, stream_id, tuple(events))


def without_identity_key(conflict: ConcurrencyConflict) -> ConcurrencyConflict:
    """The same conflict, with the identity key kept out of its message (which may reach a log)."""
    if conflict.stream_type != identity.STREAM_TYPE:
        return conflict
    return ConcurrencyConflict(identity.STREAM_TYPE, REDACTED, conflict.expected_version, conflict.actual_version)


async def release_identity(
    store: EventStore, claims: IdentityClaims, child_id: str, *, actor: str, tenant: str | None
) -> int:
    """Forget the lookup keys of every identity the (erased) child claimed, then release the streams the
    child still holds; returns how many were released. Safe to repeat."""
    released = 0
    streams = await claims.claimed_by(child_id)
    await claims.forget(streams)
    for key in streams:
        for _ in range(_RELEASE_ATTEMPTS):
            state, version = await load(store, IDENTITY, key)
            events = identity.decide(state, identity.ReleaseIdentity(child_id=child_id))
            if not events:
                break
            try:
                await store.append(
                    identity.STREAM_TYPE, key, list(events), expected_version=version,
                    metadata=EventMetadata(tenant=tenant, actor=actor),
                )
            except ConcurrencyConflict:
                continue  # someone appended meanwhile: decide again on the new state
            released += 1
            break
        else:
            raise without_identity_key(ConcurrencyConflict(identity.STREAM_TYPE, key, 0, None))
    return released
