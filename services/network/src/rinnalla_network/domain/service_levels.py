"""How fast a recipient should act on a referral: configurable per kind of organisation.

The defaults follow the county's duties where the law sets them (Social Welfare Act 36 §: an assessment
of the need for services starts within 7 working days; Child Welfare Act 26 §: a child welfare matter is
assessed and decided on promptly, within 3 months) and the programme's agreements elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from rinnalla_network.domain.calendar import add_months, add_working_days
from rinnalla_network.domain.values import OrganisationKind, Urgency


@dataclass(frozen=True)
class ServiceLevel:
    acknowledge_working_days: int = 2
    decide_working_days: int = 7
    outcome_months: int = 3
    # an urgent referral is acknowledged and decided within this many working days
    urgent_working_days: int = 1

    def __post_init__(self) -> None:
        if min(self.acknowledge_working_days, self.decide_working_days, self.urgent_working_days) < 1:
            raise ValueError("a service level counts at least one working day")
        if self.acknowledge_working_days > self.decide_working_days:
            raise ValueError("acknowledgement cannot be due after the decision")
        if self.outcome_months < 1:
            raise ValueError("an outcome is due at least a month after sending")


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: date
    decide_by: date
    outcome_by: date


COUNTY = ServiceLevel(acknowledge_working_days=2, decide_working_days=7, outcome_months=3)
MUNICIPAL = ServiceLevel(acknowledge_working_days=3, decide_working_days=10, outcome_months=3)
PARTNER = ServiceLevel(acknowledge_working_days=5, decide_working_days=15, outcome_months=4)

DEFAULT_LEVELS: Mapping[OrganisationKind, ServiceLevel] = MappingProxyType(
    {
        OrganisationKind.COUNTY_SOCIAL_SERVICES: COUNTY,
        OrganisationKind.COUNTY_CHILD_WELFARE: COUNTY,
        OrganisationKind.HEALTH_CENTRE: COUNTY,
        OrganisationKind.SCHOOL_WELFARE: COUNTY,
        OrganisationKind.CHILD_PSYCHIATRY: COUNTY,
        OrganisationKind.LEARNING_SUPPORT: MUNICIPAL,
        OrganisationKind.SCHOOL: MUNICIPAL,
        OrganisationKind.EARLY_CHILDHOOD_EDUCATION: MUNICIPAL,
        OrganisationKind.POLICE: COUNTY,
        OrganisationKind.NGO: PARTNER,
        OrganisationKind.FAMILY_PARTNER_ORGANISATION: PARTNER,
    }
)


@dataclass(frozen=True)
class ServiceLevels:
    """The service level of each kind of organisation (a kind not named gets `fallback`)."""

    levels: Mapping[OrganisationKind, ServiceLevel] = field(default_factory=lambda: DEFAULT_LEVELS)
    fallback: ServiceLevel = COUNTY

    def of(self, kind: OrganisationKind) -> ServiceLevel:
        return self.levels.get(kind, self.fallback)

    def deadlines(self, kind: OrganisationKind, urgency: Urgency, sent_on: date) -> Deadlines:
        level = self.of(kind)
        acknowledge, decide = level.acknowledge_working_days, level.decide_working_days
        if urgency is Urgency.URGENT:
            acknowledge = decide = level.urgent_working_days
        return Deadlines(
            acknowledge_by=add_working_days(sent_on, acknowledge),
            decide_by=add_working_days(sent_on, decide),
            outcome_by=add_months(sent_on, level.outcome_months),
        )
