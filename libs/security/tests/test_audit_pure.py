"""The hash chain, the two-year window and the exports, without a database."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from rinnalla_security import (
    AccessEntry,
    BadCheckpoint,
    Checkpoint,
    DisclosureEntry,
    MemoryAuditLog,
    SpecialReasonRequired,
    derive_chain_key,
    derive_signing_key,
    log_window,
    new_signing_key,
    public_key_text,
    sign_checkpoint,
    verify_checkpoint,
)
from rinnalla_security.audit.chain import ChainChecker, ChainHead, chain_hash, keyed_chain_hash
from rinnalla_security.audit.export import rows_to_csv


def entry(subject: str = "child-092-0001", **changes: str) -> AccessEntry:
    values = {
        "request_id": "r1", "actor_id": "user-a", "actor_name": "A", "actor_roles": ("mentor",),
        "actor_organisation": "org", "tenants": ("092",), "subject_id": subject, "purpose": "programme_delivery",
        "action": "child.read", "access_kind": "read", "endpoint": "GET /v1/children/{child_id}",
    }
    return AccessEntry.model_validate({**values, **changes})


async def filled_log(count: int = 5) -> MemoryAuditLog:
    log = MemoryAuditLog()
    for i in range(count):
        await log.record_accesses([entry(subject=f"child-{i}")])
    return log


async def test_an_untouched_chain_verifies() -> None:
    report = await (await filled_log()).verify("access")

    assert report.ok
    assert report.rows_checked == 5
    assert report.head is not None and report.head.seq == 5


async def test_a_changed_row_is_detected() -> None:
    log = await filled_log()
    log.accesses[2] = log.accesses[2].model_copy(update={"actor_id": "user-innocent"})

    report = await log.verify("access")

    assert [(p.seq, p.kind) for p in report.problems] == [(3, "modified")]


async def test_a_changed_row_with_a_recomputed_hash_breaks_the_next_link() -> None:
    log = await filled_log()
    forged = log.accesses[2].model_copy(update={"purpose": "safeguarding"})
    forged = forged.model_copy(update={"row_hash": chain_hash(forged.prev_hash, forged.model_dump())})
    log.accesses[2] = forged

    report = await log.verify("access")

    assert [(p.seq, p.kind) for p in report.problems] == [(4, "broken_link")]


async def test_a_deleted_row_is_detected() -> None:
    log = await filled_log()
    del log.accesses[1]

    report = await log.verify("access")

    assert {(p.seq, p.kind) for p in report.problems} == {(3, "missing"), (3, "broken_link")}


async def test_a_lost_tail_is_detected_only_against_a_recorded_head() -> None:
    log = await filled_log()
    anchor = await log.head("access")
    assert anchor is not None
    del log.accesses[-2:]

    assert (await log.verify("access")).ok  # nothing inside the chain betrays it
    report = await log.verify("access", anchor=anchor)
    assert [p.kind for p in report.problems] == ["anchor_mismatch"]


def test_the_hash_covers_timestamps_to_the_microsecond() -> None:
    base: dict[str, Any] = {"seq": 1, "occurred_at": datetime(2025, 1, 1, 12, 0, 0, 1, tzinfo=UTC), "subject_id": "c"}
    later = {**base, "occurred_at": datetime(2025, 1, 1, 12, 0, 0, 2, tzinfo=UTC)}

    assert chain_hash("0" * 64, base) != chain_hash("0" * 64, later)
    helsinki = {**base, "occurred_at": base["occurred_at"].astimezone(timezone(timedelta(hours=2)))}
    assert chain_hash("0" * 64, base) == chain_hash("0" * 64, helsinki)  # same instant, same hash
    with pytest.raises(ValueError, match="timezone"):
        chain_hash("0" * 64, {**base, "occurred_at": datetime(2025, 1, 1)})


def test_an_empty_chain_is_fine_and_has_no_head() -> None:
    report = ChainChecker("access").report()

    assert report.ok and report.head is None
    assert not ChainChecker("access", ChainHead(3, "f" * 64)).report().ok


def test_a_disclosure_needs_consent_or_a_legal_basis() -> None:
    values = {
        "request_id": "r", "actor_id": "u", "subject_id": "c", "purpose": "network_meeting",
        "recipient_organisation": "org-county", "disclosed": "participation status",
    }
    with pytest.raises(ValueError, match="consent id or a legal basis"):
        DisclosureEntry.model_validate(values)
    assert DisclosureEntry.model_validate({**values, "legal_basis": "Act 812/2000 s. 17"}).legal_basis


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_by_default_the_window_is_the_last_two_years() -> None:
    window = log_window(since=None, until=None, reason=None, now=NOW)

    assert window.since == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert window.special_reason is None


def test_older_log_data_needs_a_special_reason() -> None:
    with pytest.raises(SpecialReasonRequired, match="special reason"):
        log_window(since=datetime(2020, 1, 1), until=None, reason=None, now=NOW)
    with pytest.raises(SpecialReasonRequired):
        log_window(since=datetime(2020, 1, 1), until=None, reason="because", now=NOW)

    window = log_window(since=datetime(2020, 1, 1), until=None, reason="suspected unauthorised access", now=NOW)

    assert window.since == datetime(2020, 1, 1, tzinfo=UTC)
    assert window.special_reason == "suspected unauthorised access"


def test_csv_export_defuses_spreadsheet_formulas() -> None:
    row = entry(actor_name="=HYPERLINK(\"http://evil\")", purpose="+programme")

    text = rows_to_csv([row], ["actor_name", "purpose", "actor_roles"])

    assert text.splitlines()[1] == "\"'=HYPERLINK(\"\"http://evil\"\")\",'+programme,mentor"


KEY = bytes(range(32))


def _rows(formats: list[int], key: bytes | None = KEY) -> list[dict[str, Any]]:
    """A chain whose rows were written in the given formats (1: before the chain was keyed, 2: keyed)."""
    rows: list[dict[str, Any]] = []
    prev_hash = "0" * 64
    for seq, chain_format in enumerate(formats, start=1):
        row: dict[str, Any] = {"seq": seq, "occurred_at": datetime(2026, 1, 1, tzinfo=UTC), "subject_id": f"c{seq}"}
        row_hash = chain_hash(prev_hash, row) if chain_format == 1 else keyed_chain_hash(KEY, prev_hash, row)
        rows.append({**row, "prev_hash": prev_hash, "row_hash": row_hash, "chain_format": chain_format})
        prev_hash = row_hash
    return rows


def _checked(rows: list[dict[str, Any]], **options: Any) -> list[tuple[int, str]]:
    checker = ChainChecker("access", **options)
    checker.feed_all(rows)
    return [(problem.seq, problem.kind) for problem in checker.report().problems]


def test_rows_from_before_the_key_still_verify_and_keyed_rows_need_the_key() -> None:
    rows = _rows([1, 1, 2, 2])

    assert _checked(rows, key=KEY) == []
    assert _checked(rows) == [(3, "unverifiable"), (4, "unverifiable")]
    assert _checked(rows, key=bytes(32)) == [(3, "modified"), (4, "modified")]


def test_an_unkeyed_row_after_keyed_ones_is_a_rewrite() -> None:
    rows = _rows([2, 1, 2])

    assert (2, "downgraded") in _checked(rows, key=KEY)


def test_every_anchor_must_match_the_row_at_its_place() -> None:
    rows = _rows([2, 2, 2])
    anchors = [ChainHead(1, rows[0]["row_hash"]), ChainHead(3, rows[2]["row_hash"])]

    assert _checked(rows, key=KEY, anchors=anchors) == []
    assert _checked(rows, key=KEY, anchors=[ChainHead(2, "e" * 64)]) == [(2, "anchor_mismatch")]
    assert _checked(rows[:2], key=KEY, anchors=anchors) == [(3, "anchor_mismatch")]


def test_a_checkpoint_verifies_only_under_a_trusted_key_and_unchanged() -> None:
    signer = new_signing_key()
    checkpoint = Checkpoint("access", 7, "a" * 64, "enrollment", datetime(2026, 1, 1, tzinfo=UTC))
    message = sign_checkpoint(checkpoint, signer)

    assert verify_checkpoint(message, [signer.public_key()]) == checkpoint
    with pytest.raises(BadCheckpoint, match="does not trust"):
        verify_checkpoint(message, [new_signing_key().public_key()])
    outer = json.loads(message)
    outer["payload"] = outer["payload"].replace('"seq":7', '"seq":8')
    with pytest.raises(BadCheckpoint, match="signature"):
        verify_checkpoint(json.dumps(outer).encode(), [signer.public_key()])


def test_the_chain_and_signing_keys_are_derived_apart_from_the_master_key() -> None:
    master = bytes(range(32, 64))

    assert derive_chain_key(master) == derive_chain_key(master) != master
    assert public_key_text(derive_signing_key(master)) == public_key_text(derive_signing_key(master))
    assert public_key_text(derive_signing_key(master)) != public_key_text(derive_signing_key(KEY))
