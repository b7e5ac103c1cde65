"""Older payloads of the enrollment events, brought up to the shape the code reads today."""

from __future__ import annotations

from typing import Any

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
