"""Why a code or identifier was refused, in words a user can act on.

Every error is a `ValueError` with a `reason` that never repeats the rejected identity code itself
(error texts end up in logs, identity codes must not).
"""

from __future__ import annotations


class ReferenceDataError(ValueError):
    """Base of every refusal in this package; `reason` is the human explanation."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class UnknownMunicipality(ReferenceDataError):
    """The code is not a municipality in the current Statistics Finland classification."""


class UnknownCounty(ReferenceDataError):
    """The code is not a wellbeing services county (or Helsinki / Åland category)."""


class InvalidIdentityCode(ReferenceDataError):
    """Not a valid Finnish personal identity code (henkilötunnus)."""


class InvalidBusinessId(ReferenceDataError):
    """Not a valid Finnish business ID (Y-tunnus)."""
