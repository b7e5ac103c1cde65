"""The enrollment service's configuration: the shared runtime settings plus its own constants."""

from __future__ import annotations

import os

from rinnalla_events.subjects import Subjects
from rinnalla_security import AuthSettings

SERVICE_NAME = "enrollment"
EVENT_SCHEMA = "enrollment"  # the event store's schema; the projection framework's tables live there too
DEFAULT_PORT = 8001
DB_POOL_MIN = 1
DB_POOL_MAX = 10


def auth_settings() -> AuthSettings:
    """From the RINNALLA_AUTH_* variables (the development stack sets them to trust its own dev keys)."""
    return AuthSettings()


SUBJECT_PREFIX_VARIABLE = "RINNALLA_SUBJECT_PREFIX"


def subjects() -> Subjects:
    """NATS subject and stream names. RINNALLA_SUBJECT_PREFIX (default `rinnalla`, so the stream is
    `RINNALLA_ENROLLMENT`) lets deployments and tests that share a NATS server keep apart."""
    return Subjects(os.environ.get(SUBJECT_PREFIX_VARIABLE, "").strip() or "rinnalla")
