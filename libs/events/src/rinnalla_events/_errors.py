"""Errors the event log raises; each says what went wrong in words an operator can act on."""

from __future__ import annotations


class EventLogError(Exception):
    """Base class of every error raised by the event log library."""


class ConcurrencyConflict(EventLogError):
    """Another writer appended to the stream first; nothing of this append was written."""

    def __init__(self, stream_type: str, stream_id: str, expected_version: int, actual_version: int | None):
        self.stream_type = stream_type
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        actual = "unknown" if actual_version is None else str(actual_version)
        super().__init__(
            f"stream {stream_type}/{stream_id} is at version {actual}, the append expected {expected_version}"
        )


class UnknownEventType(EventLogError):
    """An event type that no registered class handles: fail loudly rather than drop data."""


class UnsupportedSchemaVersion(EventLogError):
    """A stored event is newer than the code, or no upcaster bridges its schema version."""


class InvalidEnvelope(EventLogError):
    """An envelope or payload that does not validate against its registered schema."""


class SubjectAlreadyErased(EventLogError):
    """The data subject was erased: their data key is destroyed and their data cannot be read."""

    def __init__(self, subject_id: str):
        self.subject_id = subject_id
        super().__init__(f"data subject {subject_id} has been erased")


class SubjectNotDisclosed(EventLogError):
    """This service may not hold the data key of this kind of person (ADR 0004), so it cannot write their data."""

    def __init__(self, subject_id: str, kind: str):
        self.subject_id = subject_id
        self.kind = kind
        super().__init__(f"this service may not write personal data of {kind!r} subjects ({subject_id})")
