"""Caselog's reader models of other services' events: only the fields the case log uses (tolerant readers)."""

from rinnalla_caselog.consumed.enrollment import ENROLLMENT_READERS

__all__ = ["ENROLLMENT_READERS"]
