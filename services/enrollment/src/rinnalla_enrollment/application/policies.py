"""Who may touch which record: the application asks, the HTTP adapter answers.

A refusal must look like a missing record (404), so that a caller cannot learn that another
municipality's child or another mentor's team exists.

Tenants come from the caller's token. Teams and children follow the log, not the token: before a command
runs, the adapter reads the caller's relationships (a mentor's assignments, a guardian's custody of a minor)
from the event store, not the read model, so a command sees every event committed before it (a mentor
assigned a moment ago may act at once; one who left may not). What can still be stale is only a
relationship changed by a command committed while this one runs, the same window any check-then-act has.
"""

from __future__ import annotations

from typing import Protocol


class Guard(Protocol):
    def tenant(self, municipality_code: str) -> None:
        """Refuse unless the caller works for this municipality (kuntanumero)."""
        ...

    def team(self, municipality_code: str, team_id: str) -> None:
        """Refuse unless the caller may see this team (tenant-wide staff, or the team's own mentor)."""
        ...

    def child(self, municipality_code: str, child_id: str, team_id: str | None) -> None:
        """Refuse unless the caller may see this child (staff, the team's mentor, a guardian, the child)."""
        ...
