"""Older payloads of billing's events, brought up to the shape the code reads today."""

from __future__ import annotations

from typing import Any

from rinnalla_billing.domain.events import agreement_record, document_record


def agreement_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """AgreementAmended / AgreementTerminated v1 kept the reason in plaintext: it reads unchanged, with the
    record key subject v2 names."""
    return {"record_id": agreement_record(str(payload.get("agreement_id", ""))), **payload}


def document_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """DocumentDiscarded / DocumentDeliveryFailed v1 kept the reason in plaintext: it reads unchanged, with
    the record key subject v2 names."""
    return {"record_id": document_record(str(payload.get("document_id", ""))), **payload}
