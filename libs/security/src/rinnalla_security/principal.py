"""Who is calling: an immutable principal built from verified token claims."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rinnalla_security.roles import TENANT_WIDE_ROLES, Role

MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
"""Statistics Finland municipality code (kuntanumero), three digits, e.g. 092 Vantaa, 109 Hämeenlinna."""

COUNTY_TENANT_PREFIX = "county-"
TenantCode = Annotated[str, StringConstraints(pattern=r"^(\d{3}|county-(0[1-9]|1\d|2[01]))$")]
"""A tenant: a municipality (its 3-digit code) or a wellbeing services county (hyvinvointialue), written
`county-` and the county's 2-digit Statistics Finland code (01-21, e.g. `county-04` Vantaa and Kerava). The
City of Helsinki organises its social services itself and is the tenant 091; Åland is outside the reform."""


def county_tenant(county_code: str) -> str:
    """The tenant code of a wellbeing services county, from its 2-digit code (`04` -> `county-04`)."""
    return f"{COUNTY_TENANT_PREFIX}{county_code}"


def county_of_tenant(tenant: str) -> str | None:
    """The 2-digit county code of a county tenant, None for a municipality."""
    return tenant.removeprefix(COUNTY_TENANT_PREFIX) if tenant.startswith(COUNTY_TENANT_PREFIX) else None


class ClientKind(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"


class Principal(BaseModel):
    """A verified caller: the person (`subject`), their roles, organisation and tenants (municipality codes, or
    county tenant codes for the staff of a wellbeing services county; see `TenantCode`).

    Which teams and children a mentor or guardian reaches is not in the token: it follows the service's log
    (see `rinnalla_security.relationships`). `partner_organisation_id` is the partner organisation the
    caller acts for.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=1, max_length=255)
    name: str = Field(default="", max_length=255)
    roles: frozenset[Role] = frozenset()
    organisation_id: str | None = Field(default=None, max_length=255)
    tenants: frozenset[TenantCode] = frozenset()
    partner_organisation_id: str | None = Field(default=None, max_length=255)
    client_kind: ClientKind = ClientKind.HUMAN

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def in_tenant(self, municipality_code: str) -> bool:
        return municipality_code in self.tenants

    @property
    def counties(self) -> frozenset[str]:
        """The 2-digit codes of the wellbeing services counties the caller works for."""
        return frozenset(code for tenant in self.tenants if (code := county_of_tenant(tenant)) is not None)

    @property
    def municipalities(self) -> frozenset[str]:
        """The municipality codes among the caller's tenants."""
        return frozenset(tenant for tenant in self.tenants if county_of_tenant(tenant) is None)

    @property
    def is_tenant_wide(self) -> bool:
        """Sees every team and child of its tenants (still subject to each route's purpose rules)."""
        return not self.roles.isdisjoint(TENANT_WIDE_ROLES)

    def acts_for_partner(self, organisation_id: str) -> bool:
        return self.partner_organisation_id is not None and self.partner_organisation_id == organisation_id

    @property
    def sole_tenant(self) -> str | None:
        return next(iter(self.tenants)) if len(self.tenants) == 1 else None
