"""Roles a principal can hold. A role says what kind of work someone does, never whose data they may see:
relationship scopes and tenants on the principal narrow that down."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MENTOR = "mentor"
    """Kasvattaja (mentor): follows one team of children; sees only own team."""
    COORDINATOR = "coordinator"
    """Programme coordinator of the organisation; child-level data only with a logged purpose."""
    MUNICIPALITY_OFFICIAL = "municipality_official"
    """Municipal education/wellbeing sector (funder): aggregates only."""
    COUNTY_SOCIAL_WORKER = "county_social_worker"
    """Social worker of a wellbeing services county (hyvinvointialue): the county's children in the programme
    whose consent for sharing with social services is in force. Tenant: the county (`county-NN`)."""
    SCHOOL = "school"
    """Teacher or principal of a school with pupils in a team: that school's pupils only (the school is the
    token's organisation, `school-<school code>`)."""
    GUARDIAN = "guardian"
    """Huoltaja (guardian): own children only."""
    CHILD = "child"
    """The child or young person, seeing their own data as they mature."""
    PARTNER_ORGANISATION = "partner_organisation"
    """A partner organisation (e.g. a family-partner programme), scoped to its own organisation."""
    SIB_FUND = "sib_fund"
    """Social-impact-bond fund and investors: contract-level aggregates, never personal data."""
    EVALUATOR = "evaluator"
    """Outcome evaluator or researcher: pseudonymised data under a research consent or legal basis."""
    FINANCE = "finance"
    """Invoicing and outcome payments."""
    ERP_CLIENT = "erp_client"
    """A municipal ERP system (machine client) fetching invoices."""
    ADMIN = "admin"
    """System administrator of the organisation."""
    DPO = "dpo"
    """Data-protection officer (tietosuojavastaava): audits access and disclosure logs."""
    SUPERVISOR = "supervisor"
    """Supervisor (esihenkilö) of staff: reviews what their staff accessed."""


ALL_ROLES: frozenset[Role] = frozenset(Role)

# Roles whose view of individual teams and children is not limited by a relationship (team, child, partner
# organisation) but only by tenant. Everyone else needs a relationship in the token to see a team or a child.
TENANT_WIDE_ROLES: frozenset[Role] = frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.DPO, Role.ADMIN})
