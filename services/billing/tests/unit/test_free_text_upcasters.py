"""v1 payloads of billing's free-text events (plaintext reason) read unchanged under v2."""

from __future__ import annotations

from rinnalla_billing.bootstrap import event_registry
from rinnalla_billing.domain import events as e


def test_v1_reasons_read_unchanged_with_their_record_subject() -> None:
    registry = event_registry()
    discarded = registry.validate("billing.DocumentDiscarded", 1, {"document_id": "doc-1", "reason": "typo"})
    assert isinstance(discarded, e.DocumentDiscarded)
    assert (discarded.reason, discarded.record_id) == ("typo", "billing_record-document-doc-1")
    terminated = registry.validate(
        "billing.AgreementTerminated", 1,
        {"agreement_id": "p-1", "terminated_on": "2027-03-31", "reason": "council decision"},
    )
    assert isinstance(terminated, e.AgreementTerminated)
    assert (terminated.reason, terminated.record_id) == ("council decision", "billing_record-agreement-p-1")
