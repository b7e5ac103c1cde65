"""The enrollment service's configuration: the shared runtime settings plus its own constants."""

from __future__ import annotations

from rinnalla_events import Subjects
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import configured_subjects
from rinnalla_security import AuthSettings

SERVICE_NAME = "enrollment"
EVENT_SCHEMA = "enrollment"  # the event store's schema; the projection framework's tables live there too
DEFAULT_PORT = 8001
DB_POOL_MIN = 1
DB_POOL_MAX = 10


def auth_settings() -> AuthSettings:
    """From the RINNALLA_AUTH_* variables (the development stack sets them to trust its own dev keys)."""
    return AuthSettings()


def subjects(settings: RuntimeSettings) -> Subjects:
    """NATS subject and stream names, as every service reads them (RINNALLA_SUBJECT_PREFIX)."""
    return configured_subjects(settings)
