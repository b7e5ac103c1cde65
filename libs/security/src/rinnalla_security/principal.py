"""Who is calling: an immutable principal built from verified token claims."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rinnalla_security.roles import TENANT_WIDE_ROLES, Role

MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
"""Statistics Finland municipality code (kuntanumero), three digits, e.g. 092 Vantaa, 109 Hämeenlinna."""


class ClientKind(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"


class Principal(BaseModel):
    """A verified caller: the person (`subject`), their roles, organisation and tenants (municipality codes).

    Which teams and children a mentor or guardian reaches is not in the token: it follows the service's log
    (see `rinnalla_security.relationships`). `partner_organisation_id` is the partner organisation the
    caller acts for.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=1, max_length=255)
    name: str = Field(default="", max_length=255)
    roles: frozenset[Role] = frozenset()
    organisation_id: str | None = Field(default=None, max_length=255)
    tenants: frozenset[MunicipalityCode] = frozenset()
    partner_organisation_id: str | None = Field(default=None, max_length=255)
    client_kind: ClientKind = ClientKind.HUMAN

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def in_tenant(self, municipality_code: str) -> bool:
        return municipality_code in self.tenants

    @property
    def is_tenant_wide(self) -> bool:
        """Sees every team and child of its tenants (still subject to each route's purpose rules)."""
        return not self.roles.isdisjoint(TENANT_WIDE_ROLES)

    def acts_for_partner(self, organisation_id: str) -> bool:
        return self.partner_organisation_id is not None and self.partner_organisation_id == organisation_id

    @property
    def sole_tenant(self) -> str | None:
        return next(iter(self.tenants)) if len(self.tenants) == 1 else None
