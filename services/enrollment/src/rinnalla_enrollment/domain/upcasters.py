"""Older payloads of the enrollment events, brought up to the shape the code reads today."""

from __future__ import annotations

from typing import Any

UNKNOWN_PRESCHOOL = "(unknown)"


def nomination_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """ChildNominated v1 named no preschool: it reads as an unknown one."""
    return {**payload, "preschool": {"name": UNKNOWN_PRESCHOOL, "code": ""}}
