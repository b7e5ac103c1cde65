"""v1 payloads of network's free-text events (plaintext reason) read unchanged under v2."""

from __future__ import annotations

from rinnalla_network.bootstrap import event_registry
from rinnalla_network.domain import events as e

AT = "2026-01-02T09:00:00+00:00"


def test_v1_reasons_read_unchanged() -> None:
    registry = event_registry()
    paused = registry.validate("network.PartnerInboundPaused", 1,
                               {"organisation_id": "org-1", "reason": "no capacity", "at": AT})
    assert isinstance(paused, e.PartnerInboundPaused)
    assert (paused.reason, paused.record_id) == ("no capacity", "network_record-partner-org-1")
    withdrawn = registry.validate("network.ReferralWithdrawn", 1, {
        "referral_id": "referral-1", "organisation_id": "org-1", "withdrawn_by": "user-1", "reason": "moved",
        "at": AT})
    assert isinstance(withdrawn, e.ReferralWithdrawn)
    assert (withdrawn.reason, withdrawn.child_id) == ("moved", "")
    stopped = registry.validate("network.ReferralSharingStopped", 1, {
        "referral_id": "referral-1", "organisation_id": "org-1", "reason": "consent withdrawn", "at": AT})
    assert isinstance(stopped, e.ReferralSharingStopped) and stopped.reason == "consent withdrawn"
