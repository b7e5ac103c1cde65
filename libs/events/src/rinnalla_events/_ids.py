"""Identifiers: UUIDv7, time-ordered, so ids sort roughly by creation and index well."""

from __future__ import annotations

import uuid

import uuid_utils.compat


def new_id() -> uuid.UUID:
    return uuid_utils.compat.uuid7()
