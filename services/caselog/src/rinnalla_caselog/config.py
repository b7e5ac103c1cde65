"""The caselog service's constants: its name (also its event store's schema), port and read schema."""

from __future__ import annotations

SERVICE_NAME = "caselog"
DEFAULT_PORT = 8002
READ_SCHEMA = "caselog_read"
