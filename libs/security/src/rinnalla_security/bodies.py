"""Base model for request bodies: unknown fields are an error, not silently dropped, so a client that
misspells a field (or smuggles one) learns it at once."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)
