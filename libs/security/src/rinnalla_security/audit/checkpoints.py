"""The keys of the audit chain, and signed checkpoints of its head (kept outside the database).

- The chain key (HMAC) comes from the process's settings, never from the database: a database role that
  can write to the audit tables cannot compute a valid row without it. By default it is derived from the
  master key (HKDF-SHA256 with its own label), so it changes nothing in how secrets are handed out.
- A checkpoint says "row `seq` of the `log` chain had hash `row_hash`", signed with Ed25519. Workers publish
  one whenever the head has moved; the verifier checks every checkpoint it trusts against the chain. A
  deleted tail, an emptied table, or a rewrite re-chained with the key all contradict an earlier checkpoint.
  The signing key can be derived from the master key too (development) or given on its own, to the
  workers only; the verifier needs only the public key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from rinnalla_security.audit.chain import ChainHead

CHAIN_KEY_LABEL = b"rinnalla audit chain key v1"
SIGNING_KEY_LABEL = b"rinnalla audit checkpoint signing key v1"
CHECKPOINT_VERSION = 1
LOG_NAMES = ("access", "disclosure")


class BadCheckpoint(ValueError):
    """A checkpoint message that is malformed, or not signed by a trusted key."""


def _derive(master_key: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master_key)


def derive_chain_key(master_key: bytes) -> bytes:
    """The HMAC key of the chain, from the master key (a separate label: it reveals nothing of it)."""
    return _derive(master_key, CHAIN_KEY_LABEL)


def derive_signing_key(master_key: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_derive(master_key, SIGNING_KEY_LABEL))


def _raw(text: str, what: str) -> bytes:
    cleaned = text.strip()
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        try:
            raw = base64.urlsafe_b64decode(cleaned)
        except (binascii.Error, ValueError):
            raise ValueError(f"{what} is not valid base64") from None
    if len(raw) != 32:
        raise ValueError(f"{what} must decode to 32 bytes, it decodes to {len(raw)}")
    return raw


def parse_signing_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from the base64 of its 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(_raw(text, "the audit signing key"))


def parse_verify_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from the base64 of its 32 raw bytes."""
    return Ed25519PublicKey.from_public_bytes(_raw(text, "an audit verify key"))


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def signing_key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode()


@dataclass(frozen=True)
class Checkpoint:
    log: str
    seq: int
    row_hash: str
    service: str
    signed_at: datetime

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.row_hash)

    def payload(self) -> bytes:
        body = {
            "v": CHECKPOINT_VERSION,
            "log": self.log,
            "seq": self.seq,
            "row_hash": self.row_hash,
            "service": self.service,
            "signed_at": self.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> bytes:
    """The message to publish: the payload, the signer's public key and the signature."""
    payload = checkpoint.payload()
    return json.dumps(
        {
            "payload": payload.decode(),
            "key": public_key_text(key),
            "signature": base64.b64encode(key.sign(payload)).decode(),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def verify_checkpoint(message: bytes, trusted: Sequence[Ed25519PublicKey]) -> Checkpoint:
    """The checkpoint in `message` if a trusted key signed it; BadCheckpoint otherwise."""
    try:
        outer = json.loads(message)
        payload = str(outer["payload"]).encode()
        signature = base64.b64decode(str(outer["signature"]), validate=True)
        signer = str(outer["key"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadCheckpoint("not a checkpoint message") from None
    keys = [key for key in trusted if public_key_text(key) == signer]
    if not keys:
        raise BadCheckpoint("signed by a key the verifier does not trust")
    try:
        keys[0].verify(signature, payload)
    except InvalidSignature:
        raise BadCheckpoint("the signature does not match") from None
    try:
        body: dict[str, Any] = json.loads(payload)
        if body["v"] != CHECKPOINT_VERSION or body["log"] not in LOG_NAMES:
            raise BadCheckpoint("unknown checkpoint version or log")
        return Checkpoint(
            log=str(body["log"]),
            seq=int(body["seq"]),
            row_hash=str(body["row_hash"]),
            service=str(body["service"]),
            signed_at=datetime.fromisoformat(str(body["signed_at"])),
        )
    except (ValueError, KeyError, TypeError):
        raise BadCheckpoint("a signed checkpoint with a malformed payload") from None


@dataclass(frozen=True)
class AnchorSet:
    """The checkpoints a verifier found: trusted heads per log, and what it could not use."""

    heads: Mapping[str, Sequence[ChainHead]] = field(default_factory=dict)
    rejected: Sequence[str] = ()  # why each rejected message was rejected
    available: bool = True  # False: the checkpoint store could not be read

    def for_log(self, log: str) -> list[ChainHead]:
        return list(self.heads.get(log, ()))

    @classmethod
    def of(cls, checkpoints: Iterable[Checkpoint], rejected: Sequence[str] = ()) -> AnchorSet:
        heads: dict[str, list[ChainHead]] = {}
        for checkpoint in checkpoints:
            heads.setdefault(checkpoint.log, []).append(checkpoint.head)
        return cls(heads=heads, rejected=tuple(rejected))


class ChainAnchors(Protocol):
    """Where the verifier reads the checkpoints kept outside the database."""

    async def anchors(self) -> AnchorSet: ...
