"""Builders for the network's unit and handler tests: a directory entry, an enrolled child, consent facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import rinnalla_consent as consent
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import partner
from rinnalla_network.domain.partner import PartnerState
from rinnalla_network.domain.referral import ChildRecord, GuardianRecord
from rinnalla_network.domain.values import Channel, OrganisationKind, ServiceType

# Monday 2 March 2026, 10:00 Finnish time
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
COUNTY_ORG = "org-county-vantaa-kerava"
NGO_ORG = "org-ngo-vantaa"
CHILD = "child-092-0001"
TEAM = "team-092-2019-a"
G1, G2 = "guardian-1", "guardian-2"


def at(days: float = 0) -> datetime:
    return T0 + timedelta(days=days)


def register(
    organisation_id: str = COUNTY_ORG,
    kind: OrganisationKind = OrganisationKind.COUNTY_SOCIAL_SERVICES,
    *,
    services: tuple[ServiceType, ...] = (ServiceType.FAMILY_SOCIAL_WORK, ServiceType.SERVICE_NEED_ASSESSMENT),
    municipalities: tuple[str, ...] = ("092", "245"),
    channel: Channel = Channel.API,
    address: str = "",
    business_id: str = "0201256-6",
) -> c.RegisterPartner:
    return c.RegisterPartner(
        organisation_id=organisation_id, name=f"Organisation {organisation_id}", kind=kind, business_id=business_id,
        service_types=services, municipality_codes=municipalities, channel=channel, channel_address=address, at=T0,
    )


def partner_state(command: c.RegisterPartner | None = None) -> PartnerState:
    command = command or register()
    state = partner.initial()
    for event in partner.decide(state, command):
        state = partner.evolve(state, event)
    return state


def child(*, exited: bool = False) -> ChildRecord:
    return ChildRecord(
        child_id=CHILD, team_id=TEAM, municipality_code="092", given_names="Aino", family_name="Esimerkki",
        date_of_birth="2019-02-02", hetu="020219A123X",
        guardians=(
            GuardianRecord(guardian_id=G1, name="Maija Huoltaja", phone="+358 40 111 1111", email="m@example.fi"),
            GuardianRecord(guardian_id=G2, name="Matti Huoltaja", phone="+358 40 222 2222", email="t@example.fi"),
        ),
        exited=exited,
    )


def registered(*guardians: str, at_: datetime = T0 - timedelta(days=30)) -> list[consent.ConsentFact]:
    return [
        consent.SubjectRegistered(subject_id=CHILD, kind=consent.SubjectKind.CHILD, at=at_,
                                  comes_of_age_on=date(2037, 2, 2)),
        *[consent.SubjectRegistered(subject_id=g, kind=consent.SubjectKind.ADULT, at=at_) for g in guardians],
        consent.GuardiansChanged(subject_id=CHILD, guardian_ids=frozenset(guardians), at=at_),
    ]


def consented(
    purpose: consent.Purpose = consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, *givers: str,
    at_: datetime = T0 - timedelta(days=10),
) -> list[consent.ConsentFact]:
    return [
        consent.ConsentGiven(consent_id=f"consent-{giver}-{purpose.value}", subject_id=CHILD, purpose=purpose,
                             given_by=giver, at=at_)
        for giver in givers
    ]


def both_guardians_consented(
    purpose: consent.Purpose = consent.Purpose.SHARING_WITH_SOCIAL_SERVICES,
) -> consent.ConsentView:
    return consent.fold([*registered(G1, G2), *consented(purpose, G1, G2)])


def send(referral_id: str = "referral-1", **overrides: object) -> c.SendReferral:
    values: dict[str, object] = {
        "referral_id": referral_id, "child_id": CHILD, "organisation_id": COUNTY_ORG,
        "service_type": ServiceType.FAMILY_SOCIAL_WORK, "reason_codes": ("family_strain",),
        "summary": "The family asked for support with evening routines.",
        "packet_fields": ("child_name", "birth_date", "guardian_contacts", "mentor_contact"),
        "contact_phone": "+358 40 765 4321", "sender_id": "user-mentor.vantaa", "sender_name": "Aino Mentor",
        "at": T0,
    }
    values.update(overrides)
    return c.SendReferral.model_validate(values)
