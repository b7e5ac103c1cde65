"""Alembic revisions of the caselog service, run by `rinnalla_runtime.migrations.upgrade_database`."""

from __future__ import annotations

from pathlib import Path

SCRIPT_LOCATION = Path(__file__).parent
