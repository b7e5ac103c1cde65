"""The demo data set: Vantaa (092) with its wellbeing services county, a two-team partnership, a preschool
selection round and a dozen children with guardians. The teams are for children born in 2019: pre-primary
education in 2025-26, school from August 2026; both became active once their children were enrolled.
Hämeenlinna (109) has a two-team partnership two years older, for children born in 2018, with two children
per team, active since August 2024 (billing invoices both partnerships). Every name is invented; identity
codes are valid but made up (individual numbers 200-299). Loading twice changes nothing: every command carries a fixed
idempotency key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from opentelemetry import trace
from rinnalla_consent import Purpose
from rinnalla_events import EventMetadata, Idempotency, Outcome, fingerprint
from rinnalla_refdata import county_of

from rinnalla_enrollment.application import handlers as h
from rinnalla_enrollment.application.policies import Guard
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.consent_records import ConsentEvidence, ConsentMethod
from rinnalla_enrollment.domain.cost_sharing import Payer, PayerKind
from rinnalla_enrollment.domain.values import (
    CustodyKind,
    Guardian,
    MentorContact,
    NominatingRole,
    NominationReason,
    School,
)

ACTOR = "system:demo-data"
VANTAA = "092"
DEMO_COORDINATOR = "user-coordinator.vantaa"
PARTICIPATION_INFORMATION = "participation-information-2025-06"
PARTNERSHIP = "partnership-092-vantaa"
TEAM_A = "team-092-2019-a"
TEAM_B = "team-092-2019-b"
ACTIVATED_ON = date(2025, 8, 20)
HAMEENLINNA = "109"
HAMEENLINNA_PARTNERSHIP = "partnership-109-hameenlinna"
HAMEENLINNA_TEAMS = ("team-109-2018-a", "team-109-2018-b")
HAMEENLINNA_ACTIVATED_ON = date(2024, 8, 20)
HAMEENLINNA_CHILDREN = range(15, 19)
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

# Children whose guardians agreed to share with the school (the school's view) and with the county's social
# services (the county social worker's view).
SHARING_WITH_SCHOOL = range(1, 9)
SHARING_WITH_SOCIAL_SERVICES = (1, 4)

GIVEN = ["Eetu", "Aada", "Onni", "Helmi", "Leo", "Aino", "Väinö", "Sofia", "Eino", "Olivia", "Elias", "Lilja",
         "Oliver", "Venla", "Niilo", "Ilona", "Toivo", "Enni"]
FAMILY = ["Esimerkki", "Kuvitelma", "Mallinen", "Testilä", "Keksitty", "Satunen", "Demola", "Harjoitus",
          "Kokeilu", "Luonnos", "Pohjanen", "Aihio", "Vedos", "Harjoitelma", "Hahmotelma", "Mukaelma",
          "Kaavio", "Jäljitelmä"]
# Preschools (esikoulu) whose multi-professional groups nominate the demo children.
PRESCHOOLS = (School(name="Hakunilan esikoulu"), School(name="Länsimäen esikoulu"),
              School(name="Koivukylän esikoulu"))


def demo_hetu(born: date, individual: int) -> str:
    """A valid identity code for someone born in the 2000s (century sign A)."""
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}A{individual:03d}{CHECK_CHARACTERS[int(digits) % 31]}"


class _Everywhere:
    """The demo loader acts as the system itself: every check passes."""

    def tenant(self, municipality_code: str) -> None:
        return None

    def team(self, municipality_code: str, team_id: str) -> None:
        return None

    def child(self, municipality_code: str, child_id: str, team_id: str | None) -> None:
        return None


async def _run(
    enrollment: Enrollment,
    key: str,
    handler: Callable[[EnrollmentWriter, Guard, Any], Awaitable[Outcome]],
    command: Any,
) -> None:
    idempotency = Idempotency(f"{ACTOR}:{key}", fingerprint(command.model_dump(mode="json", exclude={"at"})))
    # No request carries a trace here: each demo command is a trace of its own, like a request without one.
    with trace.get_tracer(__name__).start_as_current_span(f"demo {type(command).__name__}"):
        writer = enrollment.writer(EventMetadata(actor=ACTOR), idempotency)
        if await writer.previous() is None:
            await handler(writer, _Everywhere(), command)


def _school(team: str) -> School:
    return School(name="Hakunilan koulu", code="12345") if team == TEAM_A else School(name="Länsimäen koulu")


async def load_demo(enrollment: Enrollment) -> None:
    now = enrollment.clock
    await _run(enrollment, "partnership.open", h.open_partnership, c.OpenPartnership(
        partnership_id=PARTNERSHIP, municipality_code=VANTAA, opened_on=date(2025, 1, 15)))
    await _run(enrollment, "partnership.sign", h.sign_partnership_agreement, c.SignPartnershipAgreement(
        partnership_id=PARTNERSHIP, signed_on=date(2025, 3, 1), team_count=2, valid_from=date(2025, 8, 1)))
    # The city and its wellbeing services county (04 Vantaa and Kerava) each pay half of every team.
    await _run(enrollment, "partnership.cost-sharing", h.on_partnership, c.AgreeCostSharing(
        partnership_id=PARTNERSHIP, agreed_on=date(2025, 3, 1), valid_from=date(2025, 8, 1), payers=(
            Payer(kind=PayerKind.MUNICIPALITY, code=VANTAA, share_basis_points=5000),
            Payer(kind=PayerKind.WELLBEING_SERVICES_COUNTY, code=county_of(VANTAA).code, share_basis_points=5000),
        )))
    for team_id, name, area, mentor, contact in (
        (TEAM_A, "Vantaa 2019 A", "Hakunila", "user-mentor.vantaa",
         MentorContact(name="Aino Mentor", phone="+358 50 000 0001", email="aino.mentor@example.org")),
        (TEAM_B, "Vantaa 2019 B", "Länsimäki", "mentor-092-0002",
         MentorContact(name="Eino Kasvattaja", phone="+358 50 000 0002", email="eino.kasvattaja@example.org")),
    ):
        await _run(enrollment, f"{team_id}.found", h.found_team, c.FoundTeam(
            team_id=team_id, name=name, municipality_code=VANTAA, area=area, main_school=_school(team_id),
            cohort_birth_years=(2019,), founded_on=date(2025, 8, 1), partnership_id=PARTNERSHIP))
        await _run(enrollment, f"{team_id}.mentor", h.change_mentors, c.AssignMentor(
            team_id=team_id, mentor_id=mentor, starts_on=date(2025, 8, 1), contact=contact))
    for n in range(1, 15):
        await _child(enrollment, n, now)
    for team_id in (TEAM_A, TEAM_B):
        await _run(enrollment, f"{team_id}.activate", h.on_team, c.ActivateTeam(
            team_id=team_id, activated_on=ACTIVATED_ON))
    await _hameenlinna(enrollment, now)


async def _hameenlinna(enrollment: Enrollment, now: Callable[[], Any]) -> None:
    """The city of Hämeenlinna pays for both of its teams alone (its wellbeing services county, Kanta-Häme,
    is the outcome payer of the outcome contract instead)."""
    partnership = HAMEENLINNA_PARTNERSHIP
    await _run(enrollment, f"{partnership}.open", h.open_partnership, c.OpenPartnership(
        partnership_id=partnership, municipality_code=HAMEENLINNA, opened_on=date(2024, 1, 15)))
    await _run(enrollment, f"{partnership}.sign", h.sign_partnership_agreement, c.SignPartnershipAgreement(
        partnership_id=partnership, signed_on=date(2024, 3, 1), team_count=2, valid_from=date(2024, 8, 1)))
    await _run(enrollment, f"{partnership}.cost-sharing", h.on_partnership, c.AgreeCostSharing(
        partnership_id=partnership, agreed_on=date(2024, 3, 1), valid_from=date(2024, 8, 1), payers=(
            Payer(kind=PayerKind.MUNICIPALITY, code=HAMEENLINNA, share_basis_points=10_000),)))
    for team_id, name, area, mentor in (
        (HAMEENLINNA_TEAMS[0], "Hämeenlinna 2018 A", "Lammi", "user-mentor.hameenlinna"),
        (HAMEENLINNA_TEAMS[1], "Hämeenlinna 2018 B", "Hauho", "mentor-109-0002"),
    ):
        await _run(enrollment, f"{team_id}.found", h.found_team, c.FoundTeam(
            team_id=team_id, name=name, municipality_code=HAMEENLINNA, area=area,
            main_school=School(name=f"{area}n koulu"), cohort_birth_years=(2018,), founded_on=date(2024, 8, 1),
            partnership_id=partnership))
        await _run(enrollment, f"{team_id}.mentor", h.change_mentors, c.AssignMentor(
            team_id=team_id, mentor_id=mentor, starts_on=date(2024, 8, 1)))
    for n in HAMEENLINNA_CHILDREN:
        await _hameenlinna_child(enrollment, n, now)
    for team_id in HAMEENLINNA_TEAMS:
        await _run(enrollment, f"{team_id}.activate", h.on_team, c.ActivateTeam(
            team_id=team_id, activated_on=HAMEENLINNA_ACTIVATED_ON))


async def _hameenlinna_child(enrollment: Enrollment, n: int, now: Callable[[], Any]) -> None:
    child_id = f"child-109-{n:04d}"
    team = HAMEENLINNA_TEAMS[n % 2]
    born = date(2018, 1 + n % 12, n)
    given, family = GIVEN[n - 1], FAMILY[n - 1]
    guardian = Guardian(
        guardian_id=f"guardian-109-{n:04d}", given_names=f"Huoltaja {n}", family_name=family,
        phone=f"+358 40 000 {n:04d}", email=f"huoltaja{n}@example.fi", custody=CustodyKind.SOLE,
    )
    school = School(name="Lammin koulu" if team == HAMEENLINNA_TEAMS[0] else "Hauhon koulu")
    await _run(enrollment, f"{child_id}.nominate", h.nominate_child, c.NominateChild(
        child_id=child_id, municipality_code=HAMEENLINNA, team_id=team,
        preschool=School(name="Lammin esikoulu" if team == HAMEENLINNA_TEAMS[0] else "Hauhon esikoulu"),
        preschool_reference=f"esiopetus-2024-{n:02d}", cohort_year=born.year, nominated_on=date(2024, 8, 5),
        nominated_by=(NominatingRole.PRESCHOOL, NominatingRole.SOCIAL_SERVICES), at=now()))
    await _run(enrollment, f"{child_id}.inform", h.on_child, c.InformGuardians(
        child_id=child_id, guardians=(guardian,), informed_on=date(2024, 8, 8),
        child=c.Nominee(given_names=given, family_name=family, date_of_birth=born),
        reasons=(NominationReason.NO_OTHER_HOBBY,), at=now()))
    await _run(enrollment, f"{child_id}.select", h.decide_selection, c.SelectChild(
        child_id=child_id, team_id=team, decided_on=date(2024, 8, 12)))
    await _run(enrollment, f"{child_id}.consent", h.on_child, c.GiveConsent(
        child_id=child_id, consent_id=f"consent-{child_id}-participation", subject_id=child_id,
        purpose=Purpose.PARTICIPATION, given_by=guardian.guardian_id, at=now(),
        recorded_by=DEMO_COORDINATOR, evidence=ConsentEvidence(
            method=ConsentMethod.SIGNED_FORM, information_version=PARTICIPATION_INFORMATION,
            document_reference=f"signed-forms/2024/{child_id}")))
    await _run(enrollment, f"{child_id}.enrol", h.enrol_child, c.EnrolChild(
        child_id=child_id, team_id=team, enrolled_on=date(2024, 8, 19),
        child=c.ChildDetails(given_names=given, family_name=family, hetu=demo_hetu(born, 200 + 2 * n),
                             date_of_birth=born),
        guardians=(guardian,), school=school, class_name="esiopetus", at=now()))


def _born(n: int) -> date:
    """Children 1 and 2 are siblings (born ten months apart); child 3 is born in December, so five when enrolled
    in pre-primary education, as the cohort rule allows."""
    special = {1: date(2019, 11, 20), 2: date(2019, 1, 10), 3: date(2019, 12, 4)}
    return special.get(n, date(2019, 1 + (n % 6), 1 + n))


async def _child(enrollment: Enrollment, n: int, now: Callable[[], Any]) -> None:
    child_id = f"child-092-{n:04d}"
    team = TEAM_A if n <= 10 else TEAM_B
    born = _born(n)
    given, family = GIVEN[n - 1], FAMILY[n - 1]
    # Children 1 and 2 are siblings with the demo guardian.
    guardian_no = 1 if n <= 2 else n
    guardian = Guardian(
        guardian_id=f"guardian-092-{guardian_no:04d}", given_names=f"Huoltaja {guardian_no}",
        family_name=FAMILY[guardian_no - 1], phone=f"+358 40 000 {guardian_no:04d}",
        email=f"huoltaja{guardian_no}@example.fi", custody=CustodyKind.SOLE,
        # One newly arrived family: the guardian is reached in Somali, through an interpreter.
        interpreter_needed=guardian_no == 5, language="so" if guardian_no == 5 else "",
    )
    key = f"{child_id}"
    await _run(enrollment, f"{key}.nominate", h.nominate_child, c.NominateChild(
        child_id=child_id, municipality_code=VANTAA, team_id=team, preschool=PRESCHOOLS[n % len(PRESCHOOLS)],
        preschool_reference=f"esiopetus-2025-{n:02d}", cohort_year=born.year, nominated_on=date(2025, 8, 5),
        nominated_by=(NominatingRole.PRESCHOOL, NominatingRole.SOCIAL_SERVICES), at=now()))
    await _run(enrollment, f"{key}.inform", h.on_child, c.InformGuardians(
        child_id=child_id, guardians=(guardian,), informed_on=date(2025, 8, 8),
        child=c.Nominee(given_names=given, family_name=family, date_of_birth=born),
        reasons=(NominationReason.NO_OTHER_HOBBY,), at=now()))
    if n == 13:
        await _run(enrollment, f"{key}.waitlist", h.decide_selection, c.WaitlistChild(
            child_id=child_id, team_id=TEAM_B, decided_on=date(2025, 8, 12)))
        return
    if n == 14:
        await _run(enrollment, f"{key}.not-selected", h.on_child, c.RecordChildNotSelected(
            child_id=child_id, decided_on=date(2025, 8, 12), reason="another programme suits better"))
        return
    await _run(enrollment, f"{key}.select", h.decide_selection, c.SelectChild(
        child_id=child_id, team_id=team, decided_on=date(2025, 8, 12)))
    await _run(enrollment, f"{key}.consent", h.on_child, c.GiveConsent(
        child_id=child_id, consent_id=f"consent-{child_id}-participation", subject_id=child_id,
        purpose=Purpose.PARTICIPATION, given_by=guardian.guardian_id, at=now(),
        # The guardian signed the participation form at the information meeting; the coordinator recorded it.
        recorded_by=DEMO_COORDINATOR, evidence=ConsentEvidence(
            method=ConsentMethod.SIGNED_FORM, information_version=PARTICIPATION_INFORMATION,
            document_reference=f"signed-forms/2025/{child_id}")))
    await _run(enrollment, f"{key}.enrol", h.enrol_child, c.EnrolChild(
        child_id=child_id, team_id=team, enrolled_on=date(2025, 8, 20),
        child=c.ChildDetails(given_names=given, family_name=family, hetu=demo_hetu(born, 200 + 2 * n),
                             date_of_birth=born),
        guardians=(guardian,), school=_school(team), class_name="esiopetus A" if n % 2 else "esiopetus B", at=now()))
    for purpose, sharing in ((Purpose.SHARING_WITH_SCHOOL, SHARING_WITH_SCHOOL),
                             (Purpose.SHARING_WITH_SOCIAL_SERVICES, SHARING_WITH_SOCIAL_SERVICES)):
        if n in sharing:
            await _run(enrollment, f"{key}.consent.{purpose.value}", h.on_child, c.GiveConsent(
                child_id=child_id, consent_id=f"consent-{child_id}-{purpose.value}", subject_id=child_id,
                purpose=purpose, given_by=guardian.guardian_id, at=now(), recorded_by=DEMO_COORDINATOR,
                evidence=ConsentEvidence(
                    method=ConsentMethod.SIGNED_FORM, information_version=PARTICIPATION_INFORMATION,
                    document_reference=f"signed-forms/2025/{child_id}-{purpose.value}")))
