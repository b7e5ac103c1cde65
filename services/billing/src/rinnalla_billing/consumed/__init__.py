"""Billing's reader models of other services' events: only the fields it uses (tolerant readers)."""

from rinnalla_billing.consumed.enrollment import ENROLLMENT_READERS

__all__ = ["ENROLLMENT_READERS"]
