"""The tamper-evident hash chain, as pure functions.

row_hash = sha256(prev_hash || "\n" || canonical JSON of the row's own content). Changing a stored row
changes its hash; deleting a row leaves the next row pointing at a hash that is no longer there. Only
rewriting every later row too escapes detection, which is why operators should copy the chain head
(`head()`) somewhere the database administrator cannot write, and pass it back to `verify`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS_HASH = "0" * 64
# Part of every hashed row. Adding a column to the logs changes what a row's content is: bump the format and
# store it per row, so that old rows keep verifying with the content they were hashed with.
CHAIN_FORMAT = 1


def canonical_timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_content(content: Mapping[str, Any]) -> bytes:
    """Stable bytes for a row: sorted keys, no whitespace, UTF-8, timestamps in UTC with microseconds."""
    normalised: dict[str, Any] = {"format": CHAIN_FORMAT}
    for key, value in content.items():
        if key in ("prev_hash", "row_hash"):
            continue
        if isinstance(value, datetime):
            value = canonical_timestamp(value)
        elif isinstance(value, tuple | list):
            value = list(value)
        normalised[key] = value
    return json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_content(content))
    return digest.hexdigest()


ProblemKind = Literal["modified", "missing", "broken_link", "anchor_mismatch"]


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

    @property
    def ok(self) -> bool:
        return not self.problems


class ChainChecker:
    """Feeds rows in `seq` order and collects problems; memory stays constant however long the log is."""

    def __init__(self, log: str, anchor: ChainHead | None = None) -> None:
        self._log = log
        self._anchor = anchor
        self._anchor_seen = False
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
        if chain_hash(row["prev_hash"], row) != row["row_hash"]:
            self._problems.append(ChainProblem(seq, "modified", f"row {seq} content does not match its hash"))
        if self._anchor is not None and seq == self._anchor.seq:
            self._anchor_seen = True
            if row["row_hash"] != self._anchor.row_hash:
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
        if self._anchor is not None and not self._anchor_seen:
            problems.append(
                ChainProblem(
                    self._anchor.seq,
                    "anchor_mismatch",
                    f"the recorded chain head (row {self._anchor.seq}) is gone: rows were deleted from the end",
                )
            )
        return ChainReport(self._log, self._rows, self._head, tuple(problems))
