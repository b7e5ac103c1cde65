"""Who may touch which record: the application asks, the HTTP adapter answers from the caller's token.

A refusal must look like a missing record (404), so that a caller cannot learn that another
municipality's child or another mentor's team exists.
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
