"""Why a command was refused. Every error names the input `field` (a path such as "business_id" or
"packet_fields[1]") and a `reason` a person can act on, so the HTTP edge can answer with both.

Suggested HTTP status per class: `InvalidValue` and `RuleViolated` 422, `NotFound` 404,
`AlreadyExists` and `InvalidTransition` 409.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command the domain refuses; nothing was decided."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class InvalidValue(DomainError):
    """A value is malformed or impossible on its own (an invalid identity code, an unknown municipality)."""


class RuleViolated(DomainError):
    """The values are fine but a programme rule forbids the change (a full team, no consent, too old)."""


class NotFound(DomainError):
    """The command refers to something that does not exist (yet)."""


class AlreadyExists(DomainError):
    """Something with this id already exists."""


class InvalidTransition(DomainError):
    """The lifecycle does not allow this now (e.g. activating a completed team)."""


class ConsentRefusesSharing(DomainError):
    """The consent rules say no for this recipient at this moment (no consent in force, a guardian's "no",
    a minor's prohibition), and no legal basis was recorded."""


class NotAReferral(DomainError):
    """A child-welfare notification was sent as a referral: it goes through the county's own channel."""
