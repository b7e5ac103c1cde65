"""The stakeholders' views through HTTP: what each shows, and above all what it must not show (the county's
social worker, the school, the guardian, the SIB fund), and that every read of a person's data is logged
against that person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from enrollment_scenario import (
    FORM,
    IN_PERSON,
    OTHER_TEAM,
    TEAM,
    born,
    enrolled_child,
    guardian,
    partnership_with_teams,
)
from rinnalla_enrollment.demo import demo_hetu
from rinnalla_security import is_small_count

pytestmark = pytest.mark.integration

MENTOR_CONTACT = {"name": "Aino Mentor", "phone": "+358 50 000 0001", "email": "aino.mentor@example.org"}
COUNTY = {"X-Purpose": "county_cooperation"}
SCHOOL = {"X-Purpose": "school_cooperation"}


async def a_team_with_a_mentor_contact(api: Any) -> None:
    await partnership_with_teams(api)
    await api.ok(f"/teams/{OTHER_TEAM}/mentors", {
        "mentor_id": "mentor-0002", "starts_on": "2025-08-01", "contact": MENTOR_CONTACT,
    })


async def consent(api: Any, n: int, purpose: str) -> None:
    await api.ok(f"/children/child-{n:04d}/consents", {
        "consent_id": f"consent-{n}-{purpose}", "subject_id": f"child-{n:04d}", "purpose": purpose,
        "signed_by": f"guardian-{n}", "evidence": FORM,
    })


async def get(api: Any, path: str, user: str, headers: dict[str, str] | None = None, **claims: Any) -> Any:
    response = await api.client.get(f"/v1{path}", headers={**api.token(user, **claims), **(headers or {})})
    return response


def hetus(*numbers: int) -> list[str]:
    return [demo_hetu(born(n), 200 + 2 * n) for n in numbers]


async def accesses(api: Any, subject_id: str) -> list[Any]:
    """The reads of the subject's data in the access log (the commands that wrote it are logged too)."""
    logged = await api.enrollment.audit_log.accesses_for_subject(
        subject_id, since=datetime.now(UTC) - timedelta(days=1)
    )
    return [entry for entry in logged if entry.access_kind == "read"]


async def disclosures(api: Any, subject_id: str) -> list[Any]:
    return await api.enrollment.audit_log.disclosures_for_subject(
        subject_id, since=datetime.now(UTC) - timedelta(days=1)
    )


async def test_the_county_sees_only_its_consented_children_in_a_programme_and_nothing_else(api):
    await a_team_with_a_mentor_contact(api)
    for n in (1, 2, 3):
        await enrolled_child(api, n, team=OTHER_TEAM)
    await consent(api, 1, "sharing_with_social_services")
    await consent(api, 3, "sharing_with_social_services")
    await consent(api, 2, "sharing_with_school")  # a consent for another recipient does not count
    await api.ok("/children/child-0003/consent-withdrawals", {
        "consent_id": "consent-3-sharing_with_social_services", "signed_by": "guardian-3", "evidence": FORM,
    })
    await api.project()

    response = await get(api, "/county/children", "socialworker.vantaa", COUNTY)

    assert response.status_code == 200, response.text
    children = response.json()
    assert [child["child_id"] for child in children] == ["child-0001"]
    assert children[0]["team"]["mentors"] == [{"role": "lead", **MENTOR_CONTACT}]
    assert children[0]["consent_id"] == "consent-1-sharing_with_social_services"
    text = response.text
    for hidden in [*hetus(1, 2, 3), "Huoltaja1", "g1@example.fi", "+358 40 123 4567", "Hakunilan koulu", "1A",
                   "date_of_birth", "hetu", "guardian", "Lapsi2", "Lapsi3", born(1).isoformat()]:
        assert hidden not in text, hidden
    # The read is logged against the child shown, as an access and as a disclosure to the county; nothing
    # about the children not shown.
    assert [(a.actor_id, a.action) for a in await accesses(api, "child-0001")] == [
        ("user-socialworker.vantaa", "county_children.read")
    ]
    shared = await disclosures(api, "child-0001")
    assert [(d.recipient_organisation, d.consent_id) for d in shared] == [
        ("org-county-vantaa-kerava", "consent-1-sharing_with_social_services")
    ]
    assert await accesses(api, "child-0002") == [] and await accesses(api, "child-0003") == []


async def test_the_county_sees_no_child_of_another_county_and_needs_its_purpose(api):
    await a_team_with_a_mentor_contact(api)
    await enrolled_child(api, 1, team=OTHER_TEAM)
    await consent(api, 1, "sharing_with_social_services")
    await api.project()

    kanta_hame = await get(api, "/county/children", "socialworker.kantahame", COUNTY)
    municipality_token = await get(api, "/county/children", "socialworker.vantaa", COUNTY, tenants=["092"])
    wrong_purpose = await get(api, "/county/children", "socialworker.vantaa", {"X-Purpose": "safeguarding"})
    teacher = await get(api, "/county/children", "teacher.vantaa", COUNTY)

    assert (kanta_hame.status_code, kanta_hame.json()) == (200, [])
    assert (municipality_token.status_code, municipality_token.json()) == (200, [])
    assert wrong_purpose.status_code == 422 and "X-Purpose" in wrong_purpose.text
    assert teacher.status_code == 403


async def test_a_minors_prohibition_hides_the_child_from_the_county_at_once(api):
    await a_team_with_a_mentor_contact(api)
    await enrolled_child(api, 1, team=OTHER_TEAM)
    await consent(api, 1, "sharing_with_social_services")
    await api.ok("/children/child-0001/understanding-assessments",
                 {"purpose": "sharing_with_social_services", "understands": True})
    await api.ok("/children/child-0001/prohibitions",
                 {"purpose": "sharing_with_social_services", "evidence": IN_PERSON})
    await api.project()

    response = await get(api, "/county/children", "socialworker.vantaa", COUNTY)

    assert response.status_code == 200 and response.json() == []


async def test_the_school_sees_its_own_consented_pupils_with_names_and_the_team_contact_only(api):
    await a_team_with_a_mentor_contact(api)
    for n in (1, 2, 3):
        await enrolled_child(api, n, team=OTHER_TEAM)
    await consent(api, 1, "sharing_with_school")
    await consent(api, 3, "sharing_with_school")
    await consent(api, 2, "sharing_with_social_services")
    await api.ok("/children/child-0003/school", {
        "school": {"name": "Länsimäen koulu", "code": "23456"}, "class_name": "2B", "changed_on": "2026-08-10",
    })
    await api.project()

    response = await get(api, "/school/pupils", "teacher.vantaa", SCHOOL)
    other_school = await get(api, "/school/pupils", "teacher.vantaa", SCHOOL, org="school-23456")
    no_school = await get(api, "/school/pupils", "teacher.vantaa", SCHOOL, org="org-somewhere")
    other_town = await get(api, "/school/pupils", "teacher.vantaa", SCHOOL, tenants=["109"])

    assert response.status_code == 200, response.text
    pupils = response.json()
    assert [(p["child_id"], p["given_names"], p["class_name"]) for p in pupils] == [("child-0001", "Lapsi1", "1A")]
    assert pupils[0]["team"] == {"team_id": OTHER_TEAM, "name": "Vantaa B",
                                 "mentors": [{"role": "lead", **MENTOR_CONTACT}]}
    for hidden in [*hetus(1, 2, 3), "hetu", "birth", born(1).isoformat(), "Huoltaja", "g1@example.fi", "+358 40",
                   "consent",
                   "Lapsi2", "Lapsi3"]:
        assert hidden not in response.text, hidden
    assert [p["child_id"] for p in other_school.json()] == ["child-0003"]
    assert no_school.status_code == 403
    assert other_town.json() == []
    assert [d.recipient_organisation for d in await disclosures(api, "child-0001")] == ["school-12345"]


async def test_the_guardian_sees_their_child_the_team_the_consents_and_who_looked(api):
    await a_team_with_a_mentor_contact(api)
    await enrolled_child(api, 1, team=OTHER_TEAM)
    await enrolled_child(api, 2, team=OTHER_TEAM)
    await consent(api, 1, "sharing_with_school")
    await api.ok(f"/teams/{OTHER_TEAM}/mentors", {"mentor_id": "user-mentor.vantaa", "role": "pair",
                                                  "starts_on": "2025-08-01"})
    await api.project()
    assert (await api.get("/mentor/teams", user="mentor.vantaa")).status_code == 200
    assert (await get(api, "/school/pupils", "teacher.vantaa", SCHOOL)).status_code == 200

    response = await get(api, "/guardian/children", "guardian.vantaa", sub="guardian-1")

    assert response.status_code == 200, response.text
    view = response.json()
    assert view["guardian_id"] == "guardian-1"
    [child] = view["children"]
    assert (child["child_id"], child["status"], child["class_name"]) == ("child-0001", "active", "1A")
    assert child["team"]["mentors"][0] == {"role": "lead", **MENTOR_CONTACT}
    consents = {c["purpose"]: c["in_force"] for c in child["consents"]}
    assert consents["participation"] is True and consents["sharing_with_school"] is True
    assert consents["sharing_with_social_services"] is False
    who = {(a["actor_name"], a["action"]) for a in child["accesses"]}
    assert ("Aino Mentor", "team_roster.read") in who and ("Sari Teacher", "school_pupils.read") in who
    assert [d["recipient_organisation"] for d in child["disclosures"]] == ["school-12345"]
    # The mentor's roster showed the guardian's own name, phone and e-mail: logged against the guardian.
    assert [(a["actor_name"], a["action"]) for a in view["accesses_to_your_data"]] == [
        ("Aino Mentor", "team_roster.read")
    ]
    for hidden in ["child-0002", "Lapsi2", *hetus(1, 2), "hetu", "no_other_hobby", "Huoltaja2"]:
        assert hidden not in response.text, hidden
    # The guardian's own read is logged too, against the child.
    logged = {(a.actor_id, a.action) for a in await accesses(api, "child-0001")}
    assert ("guardian-1", "guardian_children.read") in logged


async def test_a_guardian_the_child_has_refused_does_not_see_the_child(api):
    await a_team_with_a_mentor_contact(api)
    await enrolled_child(api, 1, team=OTHER_TEAM)
    await api.project()
    before = await get(api, "/guardian/children", "guardian.vantaa", sub="guardian-1")
    assert [c["child_id"] for c in before.json()["children"]] == ["child-0001"]

    await api.ok("/children/child-0001/understanding-assessments", {"purpose": None, "understands": True})
    await api.ok("/children/child-0001/prohibitions",
                 {"purpose": None, "guardian_ids": ["guardian-1"], "evidence": IN_PERSON})
    await api.project()
    after = await get(api, "/guardian/children", "guardian.vantaa", sub="guardian-1")

    assert after.status_code == 200 and after.json()["children"] == []
    assert "child-0001" not in after.text and "Lapsi1" not in after.text


async def test_the_mentors_roster_logs_every_guardian_it_shows(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    await enrolled_child(api, 2)
    await api.project()

    roster = await api.get("/mentor/teams", user="mentor.vantaa")

    assert roster.status_code == 200
    for n in (1, 2):
        logged = await accesses(api, f"guardian-{n}")
        assert [(a.actor_id, a.subject_kind, a.action) for a in logged] == [
            ("user-mentor.vantaa", "guardian", "team_roster.read")
        ]
    assert guardian(1)["phone"] in roster.text


def assert_no_small_or_derivable(rows: list[dict[str, Any]], cells: tuple[str, ...], total: str) -> None:
    for row in rows:
        values = [row[c] for c in cells]
        for value in [*values, row[total]]:
            assert value is None or not is_small_count(value), row
        if row[total] is not None:
            assert sum(value is None for value in values) != 1, row  # one hidden cell = total minus the rest


async def test_the_sib_fund_sees_cohort_counts_and_outcomes_never_individuals(api):
    await partnership_with_teams(api)
    for n in range(1, 9):
        await enrolled_child(api, n)
    await api.ok("/children/child-0001/exit", {"exited_on": "2026-01-01", "reason": "out_of_home_placement"})
    await api.ok("/children/child-0002/exit", {"exited_on": "2026-01-01", "reason": "moved_away"})
    await api.project()

    response = await get(api, "/sib/cohorts", "fund.hameenlinna")  # its contracts: Hämeenlinna and Vantaa
    elsewhere = await get(api, "/sib/cohorts", "fund.hameenlinna", tenants=["109"])

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["enrolled"] == 8 and report["suppressed_below"] == 5
    [cohort] = report["cohorts"]
    assert (cohort["municipality_code"], cohort["cohort"], cohort["enrolled"]) == ("092", 2019, 8)
    # One placement and one other exit: both hidden, each with the other (the cohort's total is shown).
    assert cohort["active"] == 6 and cohort["suppressed"]
    assert cohort["exited_out_of_home_placement"] is None and cohort["exited_other"] is None
    outcomes = ("active", "completed", "follow_up", "exited_out_of_home_placement", "exited_other")
    assert_no_small_or_derivable(report["cohorts"], outcomes, "enrolled")
    assert all(value is None or not is_small_count(value) for value in report["totals"].values())
    for hidden in ["child-", "Lapsi", "Esimerkki", "guardian", "hetu", TEAM, OTHER_TEAM]:
        assert hidden not in response.text, hidden
    assert elsewhere.json()["cohorts"] == []
    assert (await get(api, "/sib/cohorts", "official.vantaa")).status_code == 403


async def test_the_county_sees_its_municipalities_counts_and_not_another_countys(api):
    await partnership_with_teams(api)
    for n in range(1, 7):
        await enrolled_child(api, n)
    await api.project()

    own = await get(api, "/counties/04/statistics", "socialworker.vantaa")
    other = await get(api, "/counties/07/statistics", "socialworker.vantaa")
    official = await get(api, "/counties/04/statistics", "official.vantaa")

    assert own.status_code == 200, own.text
    [vantaa] = own.json()["municipalities"]
    assert vantaa["municipality_code"] == "092"
    assert {(row["team_id"], row["status"], row["children"]) for row in vantaa["enrolment"]} == {
        (TEAM, "active", 6)
    }
    assert "Lapsi" not in own.text and "child-" not in own.text
    assert other.status_code == 404 and official.status_code == 403
