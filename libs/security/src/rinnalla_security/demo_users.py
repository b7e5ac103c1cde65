"""A catalogue of invented demo users, one per role, in Vantaa (092) and Hämeenlinna (109) and their wellbeing
services counties (`county-04` Vantaa and Kerava, `county-07` Kanta-Häme), whose social workers carry the
county's tenant code. The demo teacher's organisation is the demo team's school (`school-12345`).

Every name and id here is fictitious. The ids follow the shape services use for pseudonymous programme ids.
Tokens carry no relationships: the demo mentor sees the demo team because the demo data assigns them to it,
and the demo guardian (subject `guardian-092-0001`) sees the two demo children because the demo data names
them their guardian. `DEMO_RELATIONSHIPS` lists the same relationships for tests without that data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rinnalla_security.principal import ClientKind, Principal
from rinnalla_security.relationships import Relationship, guardianship, mentorship
from rinnalla_security.roles import Role

VANTAA = "092"
HAMEENLINNA = "109"
VANTAA_KERAVA = "county-04"  # the wellbeing services county 04, Vantaan ja Keravan hyvinvointialue
KANTA_HAME = "county-07"  # the wellbeing services county 07, Kanta-Hämeen hyvinvointialue

ICEHEARTS = "org-icehearts"
CITY_OF_VANTAA = "org-city-vantaa"
CITY_OF_HAMEENLINNA = "org-city-hameenlinna"
VANTAA_KERAVA_COUNTY = "org-county-vantaa-kerava"
KANTA_HAME_COUNTY = "org-county-kanta-hame"
SCHOOL_VANTAA = "school-12345"  # Hakunilan koulu (the demo school code), the Vantaa demo team's school
FAMILY_PARTNER_ORG = "org-sos-family-partner"
SIB_FUND = "org-sib-fund"
EVALUATOR_INSTITUTE = "org-evaluator"

TEAM_VANTAA = "team-092-2019-a"
TEAM_HAMEENLINNA = "team-109-2020-a"
CHILD_VANTAA = "child-092-0001"
CHILD_VANTAA_SIBLING = "child-092-0002"
GUARDIAN_VANTAA = "guardian-092-0001"


@dataclass(frozen=True)
class DemoUser:
    username: str
    subject: str
    name: str
    roles: frozenset[Role]
    tenants: frozenset[str]
    organisation_id: str | None
    description: str
    partner_organisation_id: str | None = None
    client_kind: ClientKind = ClientKind.HUMAN

    def principal(self) -> Principal:
        return Principal(
            subject=self.subject,
            name=self.name,
            roles=self.roles,
            organisation_id=self.organisation_id,
            tenants=self.tenants,
            partner_organisation_id=self.partner_organisation_id,
            client_kind=self.client_kind,
        )


def _user(
    username: str,
    role: Role,
    name: str,
    tenant: str,
    org: str | None,
    description: str,
    *,
    partner_organisation_id: str | None = None,
    client_kind: ClientKind = ClientKind.HUMAN,
) -> DemoUser:
    return DemoUser(
        username=username,
        subject=f"user-{username}",
        name=name,
        roles=frozenset({role}),
        tenants=frozenset({tenant}),
        organisation_id=org,
        description=description,
        partner_organisation_id=partner_organisation_id,
        client_kind=client_kind,
    )


DEMO_USERS: tuple[DemoUser, ...] = (
    _user("mentor.vantaa", Role.MENTOR, "Aino Mentor", VANTAA, ICEHEARTS,
          "Mentor (kasvattaja) of the Vantaa 2019 team"),
    _user("coordinator.vantaa", Role.COORDINATOR, "Eero Coordinator", VANTAA, ICEHEARTS,
          "Programme coordinator for Vantaa"),
    _user("official.vantaa", Role.MUNICIPALITY_OFFICIAL, "Liisa Official", VANTAA, CITY_OF_VANTAA,
          "Education and wellbeing sector official of the City of Vantaa (funder)"),
    _user("socialworker.vantaa", Role.COUNTY_SOCIAL_WORKER, "Mikko Socialworker", VANTAA_KERAVA,
          VANTAA_KERAVA_COUNTY, "Social worker of the Vantaa and Kerava wellbeing services county (tenant county-04)"),
    _user("teacher.vantaa", Role.SCHOOL, "Sari Teacher", VANTAA, SCHOOL_VANTAA,
          "Class teacher at a Vantaa primary school with pupils in the team"),
    DemoUser(username="guardian.vantaa", subject=GUARDIAN_VANTAA, name="Pekka Guardian",
             roles=frozenset({Role.GUARDIAN}), tenants=frozenset({VANTAA}), organisation_id=None,
             description="Guardian (huoltaja) of two children in the Vantaa team"),
    DemoUser(username="child.vantaa", subject=CHILD_VANTAA, name="Demo Child", roles=frozenset({Role.CHILD}),
             tenants=frozenset({VANTAA}), organisation_id=None,
             description="A child of the Vantaa team seeing their own data"),
    _user("partner.hameenlinna", Role.PARTNER_ORGANISATION, "Helmi Partner", HAMEENLINNA, FAMILY_PARTNER_ORG,
          "Family-partner worker of a partner organisation in Hämeenlinna",
          partner_organisation_id=FAMILY_PARTNER_ORG),
    DemoUser(username="fund.hameenlinna", subject="user-fund.hameenlinna", name="Ville Fund",
             roles=frozenset({Role.SIB_FUND}), tenants=frozenset({HAMEENLINNA, VANTAA}), organisation_id=SIB_FUND,
             description="Portfolio manager of the social-impact-bond fund (its Hämeenlinna and Vantaa contracts)"),
    _user("evaluator.hameenlinna", Role.EVALUATOR, "Kaisa Evaluator", HAMEENLINNA, EVALUATOR_INSTITUTE,
          "Outcome evaluator with pseudonymised data under a research consent"),
    _user("finance.vantaa", Role.FINANCE, "Olli Finance", VANTAA, ICEHEARTS, "Finance officer (invoicing)"),
    _user("erp.vantaa", Role.ERP_CLIENT, "Vantaa ERP", VANTAA, CITY_OF_VANTAA,
          "Machine client: the City of Vantaa ERP fetching invoices", client_kind=ClientKind.MACHINE),
    _user("admin.vantaa", Role.ADMIN, "Anna Admin", VANTAA, ICEHEARTS, "System administrator"),
    _user("dpo.vantaa", Role.DPO, "Timo Dpo", VANTAA, ICEHEARTS, "Data-protection officer (tietosuojavastaava)"),
    _user("supervisor.vantaa", Role.SUPERVISOR, "Riikka Supervisor", VANTAA, ICEHEARTS,
          "Supervisor (esihenkilö) of the Vantaa mentors"),
    _user("socialworker.kantahame", Role.COUNTY_SOCIAL_WORKER, "Tuula Socialworker", KANTA_HAME, KANTA_HAME_COUNTY,
          "Social worker of the Kanta-Häme wellbeing services county (tenant county-07), which has Hämeenlinna"),
    _user("mentor.hameenlinna", Role.MENTOR, "Juho Mentor", HAMEENLINNA, ICEHEARTS,
          "Mentor of the Hämeenlinna 2020 team"),
)

DEMO_RELATIONSHIPS: tuple[Relationship, ...] = (
    mentorship("user-mentor.vantaa", TEAM_VANTAA),
    mentorship("user-mentor.hameenlinna", TEAM_HAMEENLINNA),
    guardianship(GUARDIAN_VANTAA, CHILD_VANTAA, date(2019, 2, 2)),
    guardianship(GUARDIAN_VANTAA, CHILD_VANTAA_SIBLING, date(2019, 3, 3)),
)
"""The demo users' relationships, as the enrollment demo data records them (same birth dates)."""


def demo_user(username: str) -> DemoUser:
    for user in DEMO_USERS:
        if user.username == username:
            return user
    known = ", ".join(u.username for u in DEMO_USERS)
    raise KeyError(f"no demo user {username!r}; known demo users: {known}")


def demo_user_for_role(role: Role) -> DemoUser:
    """The first demo user holding `role` (every role has one)."""
    for user in DEMO_USERS:
        if role in user.roles:
            return user
    raise KeyError(f"no demo user holds role {role.value!r}")  # pragma: no cover - catalogue covers every role
