"""The network service's constants."""

from __future__ import annotations

SERVICE_NAME = "network"
DEFAULT_PORT = 8003
READ_SCHEMA = "network_read"
DB_POOL_MIN = 1
DB_POOL_MAX = 10
# The producer whose consent register the referral decisions read (its JetStream stream).
ENROLLMENT = "enrollment"
