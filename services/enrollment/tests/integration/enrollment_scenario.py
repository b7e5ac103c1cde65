"""A small programme set up through the HTTP API: Vantaa's partnership, two teams, children."""

from __future__ import annotations

from datetime import date
from typing import Any

from rinnalla_enrollment.demo import demo_hetu

PARTNERSHIP = "partnership-092"
TEAM = "team-092-2019-a"  # the demo mentor's team
OTHER_TEAM = "team-092-2019-b"
SCHOOL = {"name": "Hakunilan koulu", "code": "12345"}


def guardian(n: int) -> dict[str, str]:
    return {"guardian_id": f"guardian-{n}", "given_names": "Maija", "family_name": f"Huoltaja{n}",
            "phone": "+358 40 123 4567", "email": f"g{n}@example.fi"}


async def partnership_with_teams(api: Any, *, max_size: int = 25) -> None:
    await api.ok(f"/partnerships/{PARTNERSHIP}", {"municipality_code": "092", "opened_on": "2025-01-15"})
    await api.ok(f"/partnerships/{PARTNERSHIP}/agreement",
                 {"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"})
    for team_id in (TEAM, OTHER_TEAM):
        await api.ok(f"/teams/{team_id}", {
            "name": f"Vantaa {team_id[-1].upper()}", "municipality_code": "092", "area": "Hakunila",
            "main_school": SCHOOL, "cohort_birth_years": [2019], "founded_on": "2025-08-01",
            "partnership_id": PARTNERSHIP, "max_size": max_size,
        })
    await api.ok(f"/teams/{TEAM}/mentors", {"mentor_id": "user-mentor.vantaa", "starts_on": "2025-08-01"})


def born(n: int) -> date:
    return date(2019, 1 + n % 6, 1 + n % 27)


async def selected_child(api: Any, n: int, *, team: str = TEAM, consent: bool = True,
                         date_of_birth: date | None = None, preschool: str = "Hakunilan esikoulu") -> str:
    child_id = f"child-{n:04d}"
    dob = date_of_birth or born(n)
    await api.ok(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": team, "nominated_on": "2025-08-05", "preschool": {"name": preschool},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": f"esiopetus-{n}",
        "cohort_year": dob.year,
    })
    await api.ok(f"/children/{child_id}/guardians-informed", {
        "guardians": [guardian(n)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": f"Lapsi{n}", "family_name": "Esimerkki", "date_of_birth": dob.isoformat()},
    })
    await api.ok(f"/children/{child_id}/selection", {"team_id": team, "decided_on": "2025-08-12"})
    if consent:
        await api.ok(f"/children/{child_id}/consents", {
            "consent_id": f"consent-{n}", "subject_id": child_id, "purpose": "participation",
            "evidence": ELECTRONIC,
        }, headers=as_guardian(api, n))
    return child_id


ELECTRONIC = {"method": "electronic", "information_version": "participation-information-2025-06"}


def signed_form(reference: str) -> dict[str, str]:
    return {"method": "signed_form", "information_version": "participation-information-2025-06",
            "document_reference": reference}


FORM = signed_form("signed-forms/1")
IN_PERSON = {**FORM, "method": "in_person"}


def as_guardian(api: Any, n: int) -> dict[str, str]:
    """The token of guardian n (`guardian-{n}`), who records their own statements."""
    headers: dict[str, str] = api.token("guardian.vantaa", sub=f"guardian-{n}")
    return headers


def enrolment(n: int, *, team: str = TEAM, date_of_birth: date | None = None, hetu: str | None = None,
              enrolled_on: str = "2025-08-20") -> dict[str, Any]:
    dob = date_of_birth or born(n)
    return {
        "team_id": team, "enrolled_on": enrolled_on,
        "child": {"given_names": f"Lapsi{n}", "family_name": "Esimerkki",
                  "hetu": hetu or demo_hetu(dob, 200 + 2 * n), "date_of_birth": dob.isoformat()},
        "guardians": [guardian(n)], "school": SCHOOL, "class_name": "1A",
    }


async def enrolled_child(api: Any, n: int, *, team: str = TEAM) -> str:
    child_id = await selected_child(api, n, team=team)
    await api.ok(f"/children/{child_id}/enrolment", enrolment(n, team=team))
    return child_id
