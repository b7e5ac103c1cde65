"""One enrolment per person: the identity index that spans child streams.

The identity key is HMAC-SHA256 of the normalised identity code (all 11 characters: since 2023 the
century sign is part of the identity) under a secret derived from the master key with HKDF. It is a
pseudonym: without the master key nobody can tell whose key it is or test a guessed code against it,
and the identity code itself is stored nowhere new (the enrolment keeps it encrypted, as before).
The key is a stream id, ("identity", <key hex>); it is never logged and never put in an error message.

Claim: the enrolment appends `IdentityClaimed(child_id)` to the identity stream in the same atomic
multi-stream append as the child's and the team's events, expecting the version it loaded. Another
child holding the claim -> 409 on `child.hetu`; two enrolments of one person racing -> one wins, the
other gets `ConcurrencyConflict` (409) and writes nothing.

Release: after erasure the identity code is unreadable, so the key cannot be computed again. It need not
be: the `IdentityClaimed` events carry the child id in plain text, so the erasure finds the child's
identity streams in the event store by child id (no extra table to keep in step; the `IdentityClaims`
port answers) and appends `IdentityReleased(child_id)` to each stream the child still holds.
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
    writer: CommandWriter, keys: IdentityKeys, child_id: str, hetu: str, field: str = "child.hetu"
) -> StreamEvents:
    """The identity stream's share of an enrolment (or of a permanent code recorded later); `AlreadyExists` on
    `field` if another child holds it.

    Loading through the writer records the stream's version, so the commit appends only if nobody
    claimed the identity in between."""
    key = keys.key_of(hetu)
    loaded = await writer.load(IDENTITY, key)
    events = identity.decide(loaded.state, identity.ClaimIdentity(child_id=child_id, field=field))
    return StreamEvents(identity.STREAM_TYPE, key, tuple(events))


def without_identity_key(conflict: ConcurrencyConflict) -> ConcurrencyConflict:
    """The same conflict, with the identity key kept out of its message (which may reach a log)."""
    if conflict.stream_type != identity.STREAM_TYPE:
        return conflict
    return ConcurrencyConflict(identity.STREAM_TYPE, REDACTED, conflict.expected_version, conflict.actual_version)


async def release_identity(
    store: EventStore, claims: IdentityClaims, child_id: str, *, actor: str, tenant: str | None
) -> int:
    """Release every identity the (erased) child still holds; returns how many. Safe to repeat."""
    released = 0
    for key in await claims.claimed_by(child_id):
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
