"""The demo data set, written through the service's own handlers; a second run changes nothing.

- A partner directory for Vantaa (the Vantaa and Kerava wellbeing services county, the City of Vantaa) and
  Kanta-Häme (Hämeenlinna): county social services and child welfare, health centre, school welfare, child
  psychiatry, learning support, a school, early childhood education, the police, NGOs and the family-partner
  organisation, through the API or offline by phone or secure form. Business IDs are fictional but valid.
- Referrals of the enrollment demo's Vantaa children in every state: sent, received, accepted, declined,
  re-routed to child welfare (linked), in progress, completed (five of them, with the service started),
  withdrawn, expired. They rest on a recorded legal basis (Social Welfare Act 35 §, or a joint request under
  Child Welfare Act 25 a §). Thirteen referrals to the county's family social work and five completed ones make
  groups of at least 5, so the suppressed dashboard views (`v_referral_performance`, `v_referral_outcomes`)
  show them.
- A family partnership in Hämeenlinna with its support plan.

Referrals need the children in network's projection of enrollment, which the worker's projection runner
fills. The stack loads every service's demo data before any worker runs, so the referrals are written by a
worker job (`demo-referrals`) once the projection shows every enrolled demo child; `load_demo` writes them at
once when the children are already there. Every command has a fixed idempotency key, so a second run (or the
job after `load_demo`) changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, timedelta
from typing import Any

from rinnalla_events import EventMetadata, Idempotency, fingerprint, load
from rinnalla_runtime.logging import get_logger

from rinnalla_network.application import handlers as h
from rinnalla_network.application.ports import RegisterBehind
from rinnalla_network.bootstrap import Network
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import family_partnership as fp
from rinnalla_network.domain import referral as referral_aggregate
from rinnalla_network.domain.values import (
    Channel,
    DeclineReason,
    LegalBasis,
    OrganisationKind,
    Outcome,
    PacketField,
    ReasonCode,
    ServiceType,
)

DEMO_ACTOR = "system:demo"
VANTAA, KERAVA, HAMEENLINNA, JANAKKALA = "092", "245", "109", "165"
VANTAA_COUNTY = "org-county-vantaa-kerava"  # the demo social worker's organisation
VANTAA_CHILD_WELFARE = "org-county-vantaa-kerava-child-welfare"
K = OrganisationKind
S = ServiceType

# id, name, kind, business ID, services, municipalities served, channel, the offline channel's address
Entry = tuple[str, str, OrganisationKind, str, tuple[ServiceType, ...], tuple[str, ...], Channel, str]
DIRECTORY: tuple[Entry, ...] = (
    (VANTAA_COUNTY, "Vantaan ja Keravan hyvinvointialue, perhesosiaalityö", K.COUNTY_SOCIAL_SERVICES, "1000001-2",
     (S.FAMILY_SOCIAL_WORK, S.SERVICE_NEED_ASSESSMENT, S.HOME_SERVICE), (VANTAA, KERAVA), Channel.API, ""),
    (VANTAA_CHILD_WELFARE, "Vantaan ja Keravan hyvinvointialue, lastensuojelu", K.COUNTY_CHILD_WELFARE,
     "1000002-0", (S.SERVICE_NEED_ASSESSMENT,), (VANTAA, KERAVA), Channel.API, ""),
    ("org-vantaa-health-centre", "Hakunilan terveysasema", K.HEALTH_CENTRE, "1000003-9",
     (S.HEALTH_EXAMINATION,), (VANTAA,), Channel.SECURE_FORM, "https://asiointi.example.fi/terveysasema"),
    ("org-vantaa-school-welfare", "Vantaan ja Keravan opiskeluhuolto", K.SCHOOL_WELFARE, "1000004-7",
     (S.SCHOOL_CURATOR, S.SCHOOL_PSYCHOLOGIST), (VANTAA, KERAVA), Channel.API, ""),
    ("org-school-vantaa-demo", "Hakunilan koulu", K.SCHOOL, "1000005-5", (S.LEARNING_SUPPORT,), (VANTAA,),
     Channel.API, ""),
    ("org-vantaa-ecec", "Vantaan varhaiskasvatus", K.EARLY_CHILDHOOD_EDUCATION, "1000006-3",
     (S.EARLY_CHILDHOOD_SUPPORT,), (VANTAA,), Channel.API, ""),
    ("org-vantaa-sports-club", "Hakunilan urheiluseura ry", K.NGO, "1000007-1", (S.HOBBY_OR_CLUB, S.PEER_SUPPORT),
     (VANTAA,), Channel.PHONE, "+358 9 1234 5670"),
    # the police's preventive work with young people; no consent covers a referral to the police
    ("org-itauusimaa-police", "Itä-Uudenmaan poliisilaitos", K.POLICE, "1000009-8", (S.PEER_SUPPORT,),
     (VANTAA, KERAVA), Channel.PHONE, "0295 430 000"),
    ("org-county-kanta-hame", "Kanta-Hämeen hyvinvointialue, perhepalvelut", K.COUNTY_SOCIAL_SERVICES, "1000010-0",
     (S.FAMILY_SOCIAL_WORK, S.SERVICE_NEED_ASSESSMENT, S.FAMILY_COUNSELLING), (HAMEENLINNA, JANAKKALA),
     Channel.API, ""),
    ("org-kanta-hame-child-psychiatry", "Kanta-Hämeen keskussairaala, lastenpsykiatria", K.CHILD_PSYCHIATRY,
     "1000011-9", (S.CHILD_PSYCHIATRIC_ASSESSMENT,), (HAMEENLINNA, JANAKKALA), Channel.SECURE_FORM,
     "https://asiointi.example.fi/lastenpsykiatria"),
    ("org-hameenlinna-learning-support", "Hämeenlinnan oppimisen tuki", K.LEARNING_SUPPORT, "1000012-7",
     (S.LEARNING_SUPPORT,), (HAMEENLINNA,), Channel.API, ""),
    ("org-sos-family-partner", "Perhekumppani, Kanta-Häme", K.FAMILY_PARTNER_ORGANISATION, "1000013-5",
     (S.FAMILY_PARTNER,), (HAMEENLINNA, JANAKKALA), Channel.API, ""),
)

SENT, RECEIVED, ACCEPTED, DECLINED, REROUTED, IN_PROGRESS, COMPLETED, WITHDRAWN, EXPIRED = range(9)
# the referrals' states in order; the children take them in turn
PLAN = (SENT, RECEIVED, ACCEPTED, DECLINED, REROUTED, IN_PROGRESS, COMPLETED, WITHDRAWN, EXPIRED,
        COMPLETED, COMPLETED, COMPLETED, COMPLETED)
# the enrollment demo's enrolled Vantaa children (13 is on the waiting list, 14 was not selected)
DEMO_CHILDREN = tuple(f"child-092-{n:04d}" for n in range(1, 13))
FAMILY_PARTNERSHIP = "family-109-demo-1"  # written by load_demo alone: the marker that the demo was loaded
CHILDREN_POLL_SECONDS = 0.5
COUNTY_WORKER = "user-socialworker.vantaa"
MENTOR = "user-mentor.vantaa"


def _idempotency(key: str, command: c.Command | fp.ReferFamily) -> Idempotency:
    return Idempotency(f"{DEMO_ACTOR}:{key}", fingerprint(command.model_dump(mode="json", exclude={"at"})))


class _DemoGuard:
    """The demo writes as the system: every record is its own."""

    def tenant(self, municipality_code: str) -> None: ...

    def any_tenant(self, municipality_codes: tuple[str, ...]) -> None: ...

    def child(self, municipality_code: str, child_id: str, team_id: str) -> None: ...

    def family(self, organisation_id: str, municipality_code: str) -> None: ...

    def receiver(self, organisation_id: str) -> None: ...


GUARD = _DemoGuard()


async def _run(network: Network, key: str, step: Any, command: Any) -> None:
    writer = network.writer(EventMetadata(actor=DEMO_ACTOR), _idempotency(key, command))
    if await writer.previous() is None:
        await step(writer, command)


async def load_demo(network: Network) -> None:
    now = network.clock()
    for organisation_id, name, kind, business_id, services, area, channel, address in DIRECTORY:
        await _run(network, f"partner.{organisation_id}", lambda w, cmd: h.on_partner(w, GUARD, cmd),
                   c.RegisterPartner(organisation_id=organisation_id, name=name, kind=kind, business_id=business_id,
                                     service_types=services, municipality_codes=area, channel=channel,
                                     channel_address=address, at=now))
    await _family(network)
    if not await refer_children(network):
        get_logger("network.demo").info("demo.referrals_later", reason="enrollment's children are not projected yet",
                                        written_by="the worker's demo-referrals job")


async def _children_ready(network: Network) -> list[str] | None:
    """The enrolled demo children still in the programme, once network's projection of enrollment shows every
    one of them and has applied all enrollment has published; None before."""
    try:
        await network.freshness.ensure_current()
    except RegisterBehind:
        return None
    children = [await network.children.child(child_id) for child_id in DEMO_CHILDREN]
    if any(child is None for child in children):
        return None
    return [child.child_id for child in children if child is not None and not child.exited]


async def refer_children(network: Network) -> bool:
    """The demo referrals, each child in turn taking the next state of PLAN. Does nothing and answers False
    while enrollment's demo children have not reached network's projection."""
    children = await _children_ready(network)
    if children is None:
        return False
    for index, state in enumerate(PLAN, start=1):
        if children:
            await _referral(network, children[(index - 1) % len(children)], index, state)
    return True


async def demo_referrals(network: Network, stop: asyncio.Event) -> None:
    """The worker job that writes the demo referrals once enrollment's demo children have reached network's
    projection (the worker's own projection runner applies them), then idles until the worker stops. Only
    where network's own demo data was loaded (its family partnership exists): a database without it, a
    production one, never gets demo referrals."""
    marker, _ = await load(network.runtime.store, h.FAMILY, FAMILY_PARTNERSHIP)
    while marker.exists and not stop.is_set():
        if await refer_children(network):
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CHILDREN_POLL_SECONDS)
    await stop.wait()


async def _send(network: Network, referral_id: str, child_id: str, organisation_id: str, *,
                basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT_35, service: ServiceType = S.FAMILY_SOCIAL_WORK,
                days_ago: int = 0, rerouted_from: str | None = None) -> None:
    command = c.SendReferral(
        referral_id=referral_id, child_id=child_id, organisation_id=organisation_id, service_type=service,
        reason_codes=(ReasonCode.FAMILY_STRAIN, ReasonCode.WELLBEING_CONCERN),
        summary="The guardian asked for support at home; the mentor has met the family weekly since August.",
        packet_fields=(PacketField.CHILD_NAME, PacketField.BIRTH_DATE, PacketField.GUARDIAN_CONTACTS,
                       PacketField.MENTOR_CONTACT),
        legal_basis=basis, contact_phone="+358 40 000 9999", sender_id=MENTOR, sender_name="Aino Mentor",
        rerouted_from=rerouted_from, at=network.clock() - timedelta(days=days_ago),
    )
    await _run(network, f"referral.{referral_id}", lambda w, cmd: h.send_referral(
        w, GUARD, network.children, network.freshness, network.levels, cmd), command)


async def _step(network: Network, key: str, command: referral_aggregate.LifecycleCommand) -> None:
    await _run(network, key, lambda w, cmd: h.on_referral(w, GUARD, cmd), command)


async def _referral(network: Network, child_id: str, index: int, state: int) -> None:
    referral_id = f"referral-demo-{index:02d}"
    now = network.clock()
    await _send(network, referral_id, child_id, VANTAA_COUNTY, days_ago=200 if state == EXPIRED else 0)
    by = {"referral_id": referral_id, "by": COUNTY_WORKER, "at": now}
    if state in (RECEIVED, ACCEPTED, IN_PROGRESS, COMPLETED):
        await _step(network, f"{referral_id}.receipt", c.ReceiveReferral(**by))
    if state in (ACCEPTED, IN_PROGRESS, COMPLETED):
        await _step(network, f"{referral_id}.acceptance", c.AcceptReferral(**by))
    if state in (IN_PROGRESS, COMPLETED):
        await _step(network, f"{referral_id}.start", c.StartReferral(**by))
    if state == COMPLETED:
        await _step(network, f"{referral_id}.outcome", c.CompleteReferral(**by, outcome=Outcome.SERVICE_STARTED))
    if state == DECLINED:
        await _step(network, f"{referral_id}.decline", c.DeclineReferral(**by, reason=DeclineReason.FAMILY_DECLINED))
    if state == REROUTED:
        await _step(network, f"{referral_id}.decline", c.DeclineReferral(**by, reason=DeclineReason.NO_CAPACITY))
        await _send(network, f"{referral_id}-rerouted", child_id, VANTAA_CHILD_WELFARE,
                    basis=LegalBasis.CHILD_WELFARE_ACT_25A_JOINT_REQUEST, service=S.SERVICE_NEED_ASSESSMENT,
                    rerouted_from=referral_id)
    if state == WITHDRAWN:
        await _step(network, f"{referral_id}.withdrawal", c.WithdrawReferral(
            referral_id=referral_id, reason="the family found help elsewhere", by=MENTOR, at=now))
    if state == EXPIRED:
        await _step(network, f"{referral_id}.expiry", c.ExpireReferral(referral_id=referral_id, at=now))


async def _family(network: Network) -> None:
    now = network.clock()
    pid, worker = FAMILY_PARTNERSHIP, "user-partner.hameenlinna"
    steps: list[tuple[str, Any]] = [
        ("refer", fp.ReferFamily(partnership_id=pid, organisation_id="org-sos-family-partner", worker_id=worker,
                                 municipality_code=HAMEENLINNA, route=fp.ReferralRoute.CHILD_HEALTH_CLINIC,
                                 child_ids=("child-109-demo-1",), guardian_ids=("guardian-109-demo-1",),
                                 members=(fp.FamilyMember(member_id="guardian-109-demo-1", name="Helena Perhe"),
                                          fp.FamilyMember(member_id="child-109-demo-1", name="Oona Perhe")),
                                 referred_on=date(2025, 9, 1), at=now)),
        ("assessment", fp.CompleteInitialAssessment(partnership_id=pid, assessed_on=date(2025, 9, 15), by=worker,
                                                    at=now)),
        ("plan", fp.AgreeSupportPlan(partnership_id=pid, goals=(fp.GoalArea.DAILY_ROUTINES, fp.GoalArea.HOBBIES),
                                     agreed_on=date(2025, 9, 29), review_by=date(2025, 12, 31), by=worker, at=now)),
        ("meeting", fp.RecordFamilyMeeting(partnership_id=pid, kind=fp.MeetingKind.HOME_VISIT,
                                           met_on=date(2025, 10, 6), minutes=90, by=worker, at=now)),
    ]
    for name, command in steps:
        await _run(network, f"{pid}.{name}", lambda w, cmd: h.on_family(w, GUARD, cmd), command)
