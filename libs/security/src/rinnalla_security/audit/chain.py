"""The tamper-evident chain, as pure functions.

Format 2 (keyed, written since the chain key exists):
    row_hash = HMAC-SHA256(chain key, prev_hash || "\n" || canonical JSON of the row's own content)
Format 1 (rows written before): the same with plain SHA-256 and no key. Each row stores its format, so old
rows keep verifying; once a keyed row appears, a later unkeyed row is itself a problem ("downgraded").

Changing a stored row changes its hash; deleting a row leaves the next row pointing at a hash that is no
longer there. Re-chaining the rest after a change needs the chain key, which is not in the database. What
the chain cannot show alone is a lost tail, or a rewrite by someone holding the key: for that, signed
checkpoints of the head are kept outside the database (`checkpoints.py`) and passed back to the checker as
`anchors`; each must still match the row at its place.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS_HASH = "0" * 64
# Part of every hashed row, and stored per row (`chain_format`). Adding a column to the logs changes what a
# row's content is: bump the format, so that old rows keep verifying with the content they were hashed with.
PLAIN_FORMAT = 1  # SHA-256, no key (rows written before the chain was keyed)
KEYED_FORMAT = 2  # HMAC-SHA256 with the chain key
CHAIN_FORMAT = KEYED_FORMAT
# Not part of a row's content: the chain fields themselves, and the format (hashed as "format").
_NOT_CONTENT = ("prev_hash", "row_hash", "chain_format")


def canonical_timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_content(content: Mapping[str, Any], chain_format: int = PLAIN_FORMAT) -> bytes:
    """Stable bytes for a row: sorted keys, no whitespace, UTF-8, timestamps in UTC with microseconds."""
    normalised: dict[str, Any] = {"format": chain_format}
    for key, value in content.items():
        if key in _NOT_CONTENT:
            continue
        if isinstance(value, datetime):
            value = canonical_timestamp(value)
        elif isinstance(value, tuple | list):
            value = list(value)
        normalised[key] = value
    return json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """A format-1 (unkeyed) row hash: what rows written before the chain key have."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_content(content, PLAIN_FORMAT))
    return digest.hexdigest()


def keyed_chain_hash(key: bytes, prev_hash: str, content: Mapping[str, Any]) -> str:
    """A format-2 row hash: HMAC-SHA256 under the chain key."""
    if len(key) < 32:
        raise ValueError("the audit chain key must be at least 32 bytes")
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(prev_hash.encode("ascii"))
    mac.update(b"\n")
    mac.update(canonical_content(content, KEYED_FORMAT))
    return mac.hexdigest()


def row_hash_for(chain_format: int, key: bytes | None, prev_hash: str, content: Mapping[str, Any]) -> str:
    if chain_format == PLAIN_FORMAT:
        return chain_hash(prev_hash, content)
    if chain_format == KEYED_FORMAT:
        if key is None:
            raise ValueError("a keyed audit row needs the chain key")
        return keyed_chain_hash(key, prev_hash, content)
    raise ValueError(f"unknown audit chain format {chain_format}")


def next_format(key: bytes | None) -> int:
    """The format a writer appends in: keyed when it has the key."""
    return PLAIN_FORMAT if key is None else KEYED_FORMAT


ProblemKind = Literal[
    "modified", "missing", "broken_link", "anchor_mismatch", "downgraded", "unverifiable", "bad_checkpoint"
]


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: ProblemKind
    detail: str


@dataclass(frozen=True)
class ChainHead:
    seq: int
    row_hash: str


@dataclass(frozen=True)
class ChainReport:
    log: str
    rows_checked: int
    head: ChainHead | None
    problems: tuple[ChainProblem, ...]
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class ChainChecker:
    """Feeds rows in `seq` order and collects problems. Memory grows with the anchors, not with the log.

    `key`: the chain key, needed for keyed rows (without it they are reported "unverifiable").
    `anchors`: heads recorded outside the database (signed checkpoints); every one must match the row at its
    `seq`, and a row must still exist there. `anchor` is one more such head.
    """

    def __init__(
        self,
        log: str,
        anchor: ChainHead | None = None,
        *,
        key: bytes | None = None,
        anchors: Iterable[ChainHead] = (),
    ) -> None:
        self._log = log
        self._key = key
        self._anchors: dict[int, set[str]] = {}
        for head in (*anchors, *((anchor,) if anchor is not None else ())):
            self._anchors.setdefault(head.seq, set()).add(head.row_hash)
        self._anchor_count = sum(len(hashes) for hashes in self._anchors.values())
        self._highest_format = 0
        self._expected_seq = 1
        self._prev_hash = GENESIS_HASH
        self._rows = 0
        self._head: ChainHead | None = None
        self._problems: list[ChainProblem] = []

    def feed(self, row: Mapping[str, Any]) -> None:
        seq = int(row["seq"])
        if seq != self._expected_seq:
            gap = f"rows {self._expected_seq}..{seq - 1}" if seq > self._expected_seq + 1 else f"row {seq - 1}"
            self._problems.append(ChainProblem(seq, "missing", f"{gap} missing before row {seq}"))
        if row["prev_hash"] != self._prev_hash:
            self._problems.append(
                ChainProblem(seq, "broken_link", f"row {seq} does not link to the row before it")
            )
        chain_format = int(row.get("chain_format") or PLAIN_FORMAT)
        if chain_format < self._highest_format:
            self._problems.append(
                ChainProblem(seq, "downgraded", f"row {seq} is unkeyed after keyed rows: it was rewritten")
            )
        self._highest_format = max(self._highest_format, chain_format)
        if chain_format == KEYED_FORMAT and self._key is None:
            self._problems.append(
                ChainProblem(seq, "unverifiable", f"row {seq} is keyed and the verifier has no chain key")
            )
        elif chain_format not in (PLAIN_FORMAT, KEYED_FORMAT):
            self._problems.append(ChainProblem(seq, "modified", f"row {seq} has an unknown format {chain_format}"))
        elif not hmac.compare_digest(
            row_hash_for(chain_format, self._key, row["prev_hash"], row), str(row["row_hash"])
        ):
            self._problems.append(ChainProblem(seq, "modified", f"row {seq} content does not match its hash"))
        for recorded in sorted(self._anchors.pop(seq, set())):
            if row["row_hash"] != recorded:
                self._problems.append(
                    ChainProblem(seq, "anchor_mismatch", f"row {seq} differs from the recorded chain head")
                )
        self._expected_seq = seq + 1
        self._prev_hash = row["row_hash"]
        self._rows += 1
        self._head = ChainHead(seq, row["row_hash"])

    def feed_all(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.feed(row)

    def report(self) -> ChainReport:
        problems = list(self._problems)
        if self._anchors:
            # Heads recorded outside the database for rows that are no longer there: rows were deleted from
            # the end (or the whole log was emptied). Anchors at rows that exist were checked in `feed`.
            seq = min(self._anchors)
            if self._head is None or seq > self._head.seq:
                detail = f"the recorded chain head (row {seq}) is gone: rows were deleted from the end"
            else:
                detail = f"row {seq}, recorded as a chain head, is gone"
            problems.append(ChainProblem(seq, "anchor_mismatch", detail))
        return ChainReport(self._log, self._rows, self._head, tuple(problems), self._anchor_count)
