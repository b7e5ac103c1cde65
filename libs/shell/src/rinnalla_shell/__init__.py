"""The shell every Rinnalla service starts from: its event store, relay, probes and access control."""

from rinnalla_shell.event_log_service import event_log_service

__all__ = ["event_log_service"]
