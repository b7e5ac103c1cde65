"""Rows of the access log and the disclosure log (Act 703/2023 § 11: who processed a client's data, to whom
it was disclosed, on what basis). Entries hold pseudonymous subject ids, never names or identity codes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Text = Annotated[str, Field(min_length=1, max_length=500)]
OptionalText = Annotated[str | None, Field(default=None, max_length=500)]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: Text
    actor_id: Text
    actor_name: Annotated[str, Field(max_length=500)] = ""
    actor_roles: tuple[str, ...] = ()
    actor_organisation: OptionalText = None
    tenants: tuple[str, ...] = ()
    subject_id: Text
    subject_kind: Text = "child"
    purpose: Text


class AccessEntry(_Entry):
    """One read or write of a subject's personal data."""

    action: Text
    access_kind: Text
    endpoint: Text
    client_kind: Text = "human"


class DisclosureEntry(_Entry):
    """One transfer of a subject's data outside the controller, with its consent or legal basis."""

    recipient_organisation: Text
    disclosed: Text
    consent_id: OptionalText = None
    legal_basis: OptionalText = None

    @model_validator(mode="after")
    def _has_basis(self) -> DisclosureEntry:
        if not (self.consent_id or self.legal_basis):
            raise ValueError("a disclosure needs a consent id or a legal basis")
        return self


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int
    occurred_at: datetime
    service: str
    prev_hash: str
    row_hash: str


class StoredAccess(_Stored, AccessEntry):
    """An access-log row as stored, with its place in the hash chain."""


class StoredDisclosure(_Stored, DisclosureEntry):
    """A disclosure-log row as stored, with its place in the hash chain."""
