"""Why a command was refused. Every error names the input `field` and a `reason` a person can act on.

HTTP status per class: `InvalidValue` and `RuleViolated` 422, `NotFound` 404, `AlreadyExists` and
`InvalidTransition` 409.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command the domain refuses; nothing was decided."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class InvalidValue(DomainError):
    """A value is malformed or impossible on its own (a date in the future, an SDQ item scored 3)."""


class RuleViolated(DomainError):
    """The values are fine but a programme rule forbids the entry (after a handover, after the exit)."""


class NotFound(DomainError):
    """The entry refers to something that does not exist, or that the caller may not see."""


class AlreadyExists(DomainError):
    """Something with this id already exists."""


class InvalidTransition(DomainError):
    """The record's history does not allow this now."""
