"""The audit chains' heads, signed and kept outside the database: on NATS JetStream.

Every worker publishes a signed checkpoint of each chain's head whenever it has moved (every
`RINNALLA_AUDIT_CHECKPOINT_SECONDS`), on `<prefix>.audit.<service>.checkpoint.<log>`, into the stream
`<PREFIX>_AUDIT`, which refuses to delete or purge messages. The verifier (the audit API's `/verify`,
`rinnalla audit verify`) reads every checkpoint of its service there and checks each against the chain: a
deleted tail, an emptied table or a rewrite re-chained with the key contradict one of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nats.aio.client import Client as NatsClient
from rinnalla_events import Subjects
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import (
    AnchorSet,
    AuditLog,
    BadCheckpoint,
    ChainHead,
    Checkpoint,
    LogName,
    derive_chain_key,
    derive_signing_key,
    parse_signing_key,
    parse_verify_key,
    sign_checkpoint,
    verify_checkpoint,
)

logger = logging.getLogger(__name__)

LOGS: tuple[LogName, ...] = ("access", "disclosure")
FETCH_BATCH = 256
FETCH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AuditKeys:
    """The chain's HMAC key, the checkpoint signing key, and the keys whose checkpoints are trusted."""

    chain_key: bytes
    signing_key: Ed25519PrivateKey
    verify_keys: tuple[Ed25519PublicKey, ...]


def audit_keys(settings: RuntimeSettings) -> AuditKeys | None:
    """From the settings (see docs/configuration.md); None without a master key (tests with fake keys)."""
    if settings.master_key is None:
        return None
    master = settings.require_master_key()
    signing = (
        parse_signing_key(settings.audit_signing_key.get_secret_value())
        if settings.audit_signing_key is not None
        else derive_signing_key(master)
    )
    if settings.audit_verify_keys:
        verify = tuple(parse_verify_key(text) for text in settings.audit_verify_keys.split(",") if text.strip())
    else:
        verify = (signing.public_key(),)
    return AuditKeys(derive_chain_key(master), signing, verify)


def checkpoint_stream(subjects: Subjects) -> str:
    return subjects.stream_name("audit")


def checkpoint_subject(subjects: Subjects, service: str, log_name: str) -> str:
    return f"{subjects.prefix}.audit.{service}.checkpoint.{log_name}"


async def ensure_checkpoint_stream(js: Any, subjects: Subjects, *, replicas: int = 1) -> None:
    """The stream of checkpoints, made by whichever worker comes first: file storage, kept forever, no
    message may be deleted or purged."""
    from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    config = StreamConfig(
        name=checkpoint_stream(subjects),
        subjects=[subjects.all_of("audit")],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=0,
        max_msgs=-1,
        max_bytes=-1,
        num_replicas=replicas,
        deny_delete=True,
        deny_purge=True,
    )
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
    # An existing stream is never updated: a service may create it but not change it (deploy/nats/nats.conf
    # grants no STREAM.UPDATE on it), so no service can shorten what it keeps.


class CheckpointPublisher:
    """Signs and publishes the heads of the audit chains."""

    def __init__(
        self,
        audit_log: AuditLog,
        subjects: Subjects,
        service: str,
        signing_key: Ed25519PrivateKey,
        clock: Callable[[], datetime],
        *,
        replicas: int = 1,
    ) -> None:
        self._audit_log = audit_log
        self._subjects = subjects
        self._service = service
        self._key = signing_key
        self._clock = clock
        self._replicas = replicas
        self._published: dict[str, ChainHead] = {}

    async def publish(self, js: Any, *, force: bool = False) -> list[Checkpoint]:
        """A checkpoint per chain whose head moved since this publisher's last one (every chain with a head,
        with `force`). Returns what was published."""
        await ensure_checkpoint_stream(js, self._subjects, replicas=self._replicas)
        published: list[Checkpoint] = []
        for log_name in LOGS:
            head = await self._audit_log.head(log_name)
            if head is None or (not force and self._published.get(log_name) == head):
                continue
            checkpoint = Checkpoint(log_name, head.seq, head.row_hash, self._service, self._clock())
            await js.publish(
                checkpoint_subject(self._subjects, self._service, log_name),
                sign_checkpoint(checkpoint, self._key),
                stream=checkpoint_stream(self._subjects),
            )
            self._published[log_name] = head
            published.append(checkpoint)
        return published

    async def run(self, js: Any, stop: asyncio.Event, *, interval_seconds: float) -> None:
        """Until `stop`: publish, then wait for the interval. A failed round is logged and retried next time
        (the chain is still keyed meanwhile); stopping publishes once more so the newest head is kept."""
        while True:
            try:
                await self.publish(js)
            except Exception:
                logger.exception("audit checkpoint not published; retrying in %s s", interval_seconds)
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            except TimeoutError:
                continue


class NatsChainAnchors:
    """Implements `ChainAnchors`: every checkpoint one service's workers published, checked against the
    trusted keys. Unreadable (NATS away): `available` is False and `/verify` says the chain is unanchored."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[NatsClient]],
        subjects: Subjects,
        service: str,
        verify_keys: tuple[Ed25519PublicKey, ...],
    ) -> None:
        self._connect = connect
        self._subjects = subjects
        self._service = service
        self._keys = verify_keys

    async def anchors(self) -> AnchorSet:
        try:
            client = await self._connect()
        except Exception:
            logger.warning("the audit checkpoints could not be read: NATS is not reachable")
            return AnchorSet(available=False)
        try:
            return await self._read(client.jetstream())
        except Exception:
            logger.exception("the audit checkpoints could not be read")
            return AnchorSet(available=False)
        finally:
            await client.close()

    async def _read(self, js: Any) -> AnchorSet:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        stream = checkpoint_stream(self._subjects)
        try:
            await js.stream_info(stream)
        except NotFoundError:
            return AnchorSet()  # nothing published yet
        subscription = await js.pull_subscribe(
            f"{self._subjects.prefix}.audit.{self._service}.>",
            stream=stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=60.0
            ),
        )
        checkpoints: list[Checkpoint] = []
        rejected: list[str] = []
        try:
            remaining = (await subscription.consumer_info()).num_pending
            while remaining > 0:
                messages = await subscription.fetch(min(FETCH_BATCH, remaining), timeout=FETCH_TIMEOUT_SECONDS)
                for message in messages:
                    remaining -= 1
                    try:
                        checkpoints.append(verify_checkpoint(message.data, self._keys))
                    except BadCheckpoint as problem:
                        rejected.append(f"checkpoint message {message.metadata.sequence.stream}: {problem}")
        finally:
            await subscription.unsubscribe()
        return AnchorSet.of(checkpoints, rejected)
