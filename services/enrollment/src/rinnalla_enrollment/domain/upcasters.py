"""Older payloads of the enrollment events, brought up to the shape the code reads today."""

from __future__ import annotations

from typing import Any

from rinnalla_enrollment.domain.events import partnership_record, team_record

UNKNOWN_PRESCHOOL = "(unknown)"


def nomination_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """ChildNominated v1 named no preschool: it reads as an unknown one."""
    return {**payload, "preschool": {"name": UNKNOWN_PRESCHOOL, "code": ""}}


def nomination_v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
    """ChildNominated v2 named the child; v3 keeps the cohort (birth year) and the preschool's reference."""
    born = payload.get("date_of_birth", "")
    cohort = int(born[:4]) if isinstance(born, str) and born[:4].isdigit() else None  # erased: unknown
    return {"preschool_reference": "", "cohort_year": cohort, **payload}


def unchanged(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload reads as it is: the new version only widened what may appear (e.g. more enum values)."""
    return payload


def partnership_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """PartnershipNegotiationFailed / PartnershipEnded v1 kept the reason in plaintext: it reads unchanged,
    with the record key subject v2 names."""
    return {"record_id": partnership_record(str(payload.get("partnership_id", ""))), **payload}


def team_text_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """TeamTerminated v1 kept the details in plaintext: they read unchanged, with the record key subject."""
    return {"record_id": team_record(str(payload.get("team_id", ""))), **payload}
