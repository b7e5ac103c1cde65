"""Older payloads of network's events, brought up to the shape the code reads today."""

from __future__ import annotations

from typing import Any

from rinnalla_network.domain.events import partner_record


def partner_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """PartnerInboundPaused v1 kept the reason in plaintext: it reads unchanged, with the record key subject
    v2 names."""
    return {"record_id": partner_record(str(payload.get("organisation_id", ""))), **payload}


def referral_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """ReferralWithdrawn / ReferralSharingStopped v1 kept the reason in plaintext and did not name the child:
    the reason reads unchanged, the child as unknown (the referral's ReferralSent names it)."""
    return {"child_id": "", **payload}
