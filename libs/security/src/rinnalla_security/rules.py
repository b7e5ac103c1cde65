"""Declared access rules. Every route states who may call it, what it does, and whether it touches
personal data; what is not declared is denied."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rinnalla_security.processing_purposes import ProcessingPurpose, is_processing_purpose
from rinnalla_security.roles import Role


class AccessKind(StrEnum):
    READ = "read"
    WRITE = "write"


_ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Action:
    """What a route does, as it appears in the access log, e.g. `child.read` or `consent.withdraw`."""

    name: str
    kind: AccessKind

    def __post_init__(self) -> None:
        if not _ACTION_NAME.match(self.name):
            raise ValueError(f"action name {self.name!r} must be dotted lower-case words, e.g. 'child.read'")

    @classmethod
    def read(cls, resource: str) -> Action:
        return cls(f"{resource}.read", AccessKind.READ)

    @classmethod
    def write(cls, resource: str, verb: str = "write") -> Action:
        return cls(f"{resource}.{verb}", AccessKind.WRITE)


@dataclass(frozen=True)
class Rule:
    """The access rule of one route.

    - `roles`: who may call; everyone else gets 403.
    - `personal_data`: the route reads or writes a child's or family's data; the caller must state a purpose
      (`X-Purpose` header) unless `default_purpose` applies, and the access is logged.
    - `purposes`: if given, the only processing purposes this route accepts (e.g. a coordinator may read a
      child's record only for `safeguarding` or `supervision`); otherwise every `ProcessingPurpose`. Either
      way a caller may state only purposes their roles may claim (`ROLE_PURPOSES`).
    - `subject_kind`: what the route's data subjects are (child, guardian, family), as logged.
    """

    action: Action
    roles: frozenset[Role]
    personal_data: bool = False
    purposes: frozenset[str] | None = None
    default_purpose: str | None = None
    subject_kind: str = "child"
    description: str = ""

    def __post_init__(self) -> None:
        if not self.roles:
            raise ValueError(f"rule for {self.action.name!r} names no roles: a route nobody may call is dead code")
        if self.purposes is not None and self.default_purpose and self.default_purpose not in self.purposes:
            raise ValueError(f"default purpose {self.default_purpose!r} is not among the accepted purposes")
        declared = [*(self.purposes or ()), *([self.default_purpose] if self.default_purpose else [])]
        unknown = sorted(purpose for purpose in declared if not is_processing_purpose(purpose))
        if unknown:
            raise ValueError(f"rule for {self.action.name!r} names unknown processing purposes: {unknown}")

    def accepted_purposes(self) -> frozenset[str]:
        """The purposes this route accepts in `X-Purpose`, whoever the caller."""
        if self.purposes is not None:
            return self.purposes
        return frozenset(purpose.value for purpose in ProcessingPurpose)

    def allows(self, role: Role) -> bool:
        return role in self.roles

    def allows_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)
