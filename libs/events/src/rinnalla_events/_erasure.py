"""Erasing a person: destroy their data key, then say so in the log.

Destroying the key makes every stored and published copy of their personal fields unreadable at once
(crypto-shredding). The `SubjectErased` event then tells every projection to purge the rows it derived
from that person: the projection runner calls `Projection.purge_subject` for it and makes the key cache
forget the subject, whatever the projection's registry knows.

The event goes to the stream ("subject", <subject id>) with the idempotency key "erase:<subject id>", so
repeating an erasure (a retried request, a second operator) writes nothing new.
"""

from __future__ import annotations

from typing import ClassVar

from rinnalla_events._crypto import KeyStore
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._errors import ConcurrencyConflict
from rinnalla_events._event import DomainEvent
from rinnalla_events._store import AppendResult, EventStore

SUBJECT_STREAM = "subject"


class SubjectErased(DomainEvent):
    """A data subject's key was destroyed; read models must forget what they derived from them."""

    event_type: ClassVar[str] = "rinnalla.SubjectErased"
    subject_id: str
    subject_kind: str
    reason: str
    erased_by: str


def idempotency_key(subject_id: str) -> str:
    return f"erase:{subject_id}"


async def erase_subject(
    store: EventStore,
    keys: KeyStore,
    subject_id: str,
    subject_kind: str,
    reason: str,
    actor: str,
    tenant: str | None,
) -> AppendResult:
    """Destroy the subject's key and append `SubjectErased` once. Safe to repeat and to run concurrently."""
    if not subject_id:
        raise ValueError("subject_id is empty")
    # Key first: if the append fails, a retry finds the key already gone and appends; the other order could
    # announce an erasure whose key still exists.
    await keys.destroy(subject_id)
    key = idempotency_key(subject_id)
    for _ in range(3):
        previous = await store.previous_result(key, None)
        if previous is not None:
            return previous
        version = await store.stream_version(SUBJECT_STREAM, subject_id)
        event = SubjectErased(subject_id=subject_id, subject_kind=subject_kind, reason=reason, erased_by=actor)
        try:
            return await store.append(
                SUBJECT_STREAM,
                subject_id,
                [event],
                expected_version=version,
                metadata=EventMetadata(tenant=tenant, actor=actor),
                idempotency_key=key,
            )
        except ConcurrencyConflict:
            continue  # a concurrent erasure of the same subject won; its result is returned above
    raise ConcurrencyConflict(SUBJECT_STREAM, subject_id, 0, None)
