"""Per-person data keys for crypto-shredding.

Each data subject (a child, a guardian) has their own AES-256-GCM data key. Keys are stored wrapped
(encrypted) with a master key from configuration, in a table of their own that is never published.
Destroying a subject's key makes every copy of their personal data unreadable at once: in the event
store, in JetStream, in backups. That is how erasure works in an append-only log.

A key store may be limited to the kinds of subject its service may read (ADR 0004): it then never asks for
another kind's key, refuses to create one, and `discloses` tells the codec which fields to mark
`NOT_DISCLOSED`. PostgreSQL enforces the same grants with row-level security (`subject_kinds.py`).
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rinnalla_events._connections import ConnectionSource
from rinnalla_events._errors import SubjectNotDisclosed
from rinnalla_events._subject_kinds import may_read, subject_kind

NONCE_BYTES = 12


def new_master_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def parse_master_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise ValueError("the master key must be base64") from exc
    if len(key) != 32:
        raise ValueError(f"the master key must be 32 bytes (base64 of 256 bits), got {len(key)} bytes")
    return key


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


class KeyStore(Protocol):
    async def keys_for_writing(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        """The key of each subject, created if missing; None for a subject that was erased."""
        ...

    async def keys_for_reading(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        """The key of each subject; None for an erased (or never known) subject."""
        ...

    async def destroy(self, subject_id: str) -> bool:
        """Destroy the subject's key. True if a key existed and was destroyed now."""
        ...

    async def is_erased(self, subject_id: str) -> bool: ...

    def discloses(self, subject_id: str) -> bool:
        """Whether this service may read the subject's personal data at all (its kind is granted)."""
        ...


def _readable(kinds: Iterable[str] | None) -> frozenset[str] | None:
    return None if kinds is None else frozenset(kinds)


def _refuse_undisclosed(readable_kinds: frozenset[str] | None, subject_ids: Iterable[str]) -> None:
    for sid in subject_ids:
        if not may_read(readable_kinds, sid):
            raise SubjectNotDisclosed(sid, subject_kind(sid))


@dataclass
class _Cached:
    key: bytes | None
    at: float


class PostgresKeyStore:
    """Keys in `keys.subject_keys`, wrapped with the master key. A short cache spares a query per event.

    The cache lives `cache_seconds`; a process that did not perform an erasure stops decrypting the
    erased person's data at most that long after it. `forget` drops an entry at once (projections call
    it when they see the erasure event). `readable_kinds` (None: every kind) limits it to the kinds of
    subject its service may read.
    """

    def __init__(
        self,
        connections: ConnectionSource,
        master_key: bytes,
        *,
        cache_seconds: float = 30.0,
        readable_kinds: Iterable[str] | None = None,
    ) -> None:
        self._connections = connections
        self._master = master_key
        self._cache: dict[str, _Cached] = {}
        self._ttl = cache_seconds
        self.readable_kinds = _readable(readable_kinds)

    def discloses(self, subject_id: str) -> bool:
        return may_read(self.readable_kinds, subject_id)

    def _wrap(self, subject_id: str, key: bytes) -> bytes:
        return seal(self._master, key, subject_id.encode())

    def _unwrap(self, subject_id: str, wrapped: bytes) -> bytes:
        return open_sealed(self._master, wrapped, subject_id.encode())

    def _cached(self, ids: list[str]) -> tuple[dict[str, bytes | None], list[str]]:
        now = time.monotonic()
        hits: dict[str, bytes | None] = {}
        misses: list[str] = []
        for sid in ids:
            entry = self._cache.get(sid)
            if entry is not None and now - entry.at < self._ttl:
                hits[sid] = entry.key
            else:
                misses.append(sid)
        return hits, misses

    def forget(self, subject_id: str) -> None:
        self._cache.pop(subject_id, None)

    async def keys_for_writing(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        ids = sorted(set(subject_ids))
        _refuse_undisclosed(self.readable_kinds, ids)
        found, missing = self._cached(ids)
        if not missing:
            return found
        fresh = {sid: AESGCM.generate_key(bit_length=256) for sid in missing}
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                """
                WITH new AS (
                    INSERT INTO keys.subject_keys (subject_id, wrapped_key)
                    SELECT * FROM unnest($1::text[], $2::bytea[])
                    ON CONFLICT (subject_id) DO NOTHING
                    RETURNING subject_id, wrapped_key
                )
                SELECT subject_id, wrapped_key FROM new
                UNION ALL
                SELECT subject_id, wrapped_key FROM keys.subject_keys
                 WHERE subject_id = ANY($1::text[]) AND subject_id NOT IN (SELECT subject_id FROM new)
                """,
                missing,
                [self._wrap(sid, fresh[sid]) for sid in missing],
            )
        now = time.monotonic()
        for row in rows:
            sid = row["subject_id"]
            key = None if row["wrapped_key"] is None else self._unwrap(sid, row["wrapped_key"])
            self._cache[sid] = _Cached(key, now)
            found[sid] = key
        return found

    async def keys_for_reading(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        # A kind this service may not read is never asked for, whatever the database would answer.
        ids = sorted(sid for sid in set(subject_ids) if self.discloses(sid))
        found, missing = self._cached(ids)
        if not missing:
            return found
        async with self._connections.acquire() as conn:
            rows = await conn.fetch(
                "SELECT subject_id, wrapped_key FROM keys.subject_keys WHERE subject_id = ANY($1::text[])",
                missing,
            )
        now = time.monotonic()
        by_id = {row["subject_id"]: row["wrapped_key"] for row in rows}
        for sid in missing:
            wrapped = by_id.get(sid)
            key = None if wrapped is None else self._unwrap(sid, wrapped)
            self._cache[sid] = _Cached(key, now)
            found[sid] = key
        return found

    async def destroy(self, subject_id: str) -> bool:
        # The row stays, with its key gone: it remembers that this subject was erased, so a later write
        # cannot quietly create a fresh key and bring their personal data back.
        async with self._connections.acquire() as conn:
            status = await conn.execute(
                """
                INSERT INTO keys.subject_keys (subject_id, wrapped_key, erased_at) VALUES ($1, NULL, now())
                ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, erased_at = now()
                 WHERE keys.subject_keys.erased_at IS NULL
                """,
                subject_id,
            )
        self._cache[subject_id] = _Cached(None, time.monotonic())
        return bool(status.endswith(" 1"))

    async def is_erased(self, subject_id: str) -> bool:
        async with self._connections.acquire() as conn:
            erased = await conn.fetchval(
                "SELECT erased_at IS NOT NULL FROM keys.subject_keys WHERE subject_id = $1", subject_id
            )
        return bool(erased)


class InMemoryKeyStore:
    """Keys in a dict: for pure unit tests and the in-memory event store."""

    def __init__(self, *, readable_kinds: Iterable[str] | None = None) -> None:
        self._keys: dict[str, bytes | None] = {}
        self.readable_kinds = _readable(readable_kinds)

    def discloses(self, subject_id: str) -> bool:
        return may_read(self.readable_kinds, subject_id)

    async def keys_for_writing(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        subject_ids = list(subject_ids)
        _refuse_undisclosed(self.readable_kinds, subject_ids)
        for sid in subject_ids:
            if sid not in self._keys:
                self._keys[sid] = AESGCM.generate_key(bit_length=256)
        return {sid: self._keys[sid] for sid in subject_ids}

    async def keys_for_reading(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        return {sid: self._keys.get(sid) for sid in subject_ids if self.discloses(sid)}

    async def destroy(self, subject_id: str) -> bool:
        existed = self._keys.get(subject_id) is not None
        self._keys[subject_id] = None
        return existed

    async def is_erased(self, subject_id: str) -> bool:
        return subject_id in self._keys and self._keys[subject_id] is None
