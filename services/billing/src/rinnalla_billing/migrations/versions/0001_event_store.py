"""The event store (schema `billing`, per-person keys in `keys`), the audit logs (schema `audit`), and the
trigger that wakes the relay on every append.

Revision ID: 0001
"""

from rinnalla_service import event_store_revision

revision = "0001"
down_revision = None
upgrade, downgrade = event_store_revision("billing")
