"""Selection, enrolment and exits over HTTP with real PostgreSQL and NATS: minimised nominations, cohorts,
identity codes, school changes, exits, completion and the follow-up. Refusals name the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from enrollment_scenario import (
    FORM,
    TEAM,
    enrolled_child,
    enrolment,
    guardian,
    partnership_with_teams,
    selected_child,
)
from rinnalla_enrollment.config import EVENT_SCHEMA
from rinnalla_enrollment.demo import demo_hetu
from rinnalla_enrollment.projections.tables import READ_SCHEMA

pytestmark = pytest.mark.integration


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["field"]


async def stored_types(api: Any, child_id: str) -> list[str]:
    async with api.enrollment.connections.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT event_type FROM {EVENT_SCHEMA}.events WHERE stream_id = $1 ORDER BY position", child_id
        )
    return [row["event_type"] for row in rows]


async def test_a_nomination_holds_no_name_birth_date_or_reasons_until_the_guardians_are_informed(api):
    await partnership_with_teams(api)
    old_shape = await api.command("/children/child-0001/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
        "preschool_reference": "esiopetus-1", "cohort_year": 2019,
        "child": {"given_names": "Lapsi", "family_name": "Esimerkki", "date_of_birth": "2019-03-03"},
    })
    assert old_shape.status_code == 422 and "child" in old_shape.text

    await api.ok("/children/child-0001/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
        "preschool_reference": "esiopetus-1", "cohort_year": 2019,
    })
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT given_names, family_name, birth_year FROM {READ_SCHEMA}.children WHERE child_id = 'child-0001'"
        )
    assert tuple(row.values()) == ("", "", 2019)

    informed = await api.command("/children/child-0001/guardians-informed", {
        "guardians": [guardian(1)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": "Lapsi", "family_name": "Esimerkki", "date_of_birth": "2020-01-03"},
    })
    assert refusal(informed) == (422, "body.child.date_of_birth")  # not of the nominated cohort
    await api.ok("/children/child-0001/guardians-informed", {
        "guardians": [guardian(1)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": "Lapsi", "family_name": "Esimerkki", "date_of_birth": "2019-03-03"},
    })
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT given_names, family_name, status FROM {READ_SCHEMA}.children WHERE child_id = 'child-0001'"
        )
    assert tuple(row.values()) == ("Lapsi", "Esimerkki", "offered")


async def test_a_nomination_outside_the_cohorts_of_pre_primary_to_late_joining_is_refused_on_the_cohort(api):
    await partnership_with_teams(api)
    response = await api.command("/children/child-0001/nomination", {
        "municipality_code": "092", "nominated_on": "2025-08-05", "preschool": {"name": "Hakunilan esikoulu"},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": "x", "cohort_year": 2020,
    })
    assert refusal(response) == (422, "body.cohort_year")


async def test_a_child_born_in_december_of_the_cohort_year_is_enrolled_at_five(api):
    await partnership_with_teams(api)
    december = date(2019, 12, 4)
    child_id = await selected_child(api, 1, date_of_birth=december)

    result = await api.ok(f"/children/{child_id}/enrolment", enrolment(1, date_of_birth=december))

    assert "enrollment.ChildEnrolled" in result["events"]


async def test_an_enrolment_dated_in_the_future_is_refused_on_the_date(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1)

    response = await api.command(f"/children/{child_id}/enrolment", enrolment(1, enrolled_on="2099-08-20"))

    assert refusal(response) == (422, "body.enrolled_on")


async def test_a_child_without_an_identity_code_is_enrolled_and_gets_the_permanent_code_later(api):
    await partnership_with_teams(api)
    first = await selected_child(api, 1)
    second = await selected_child(api, 2)
    body = enrolment(1)
    body["child"]["hetu"] = ""
    enrolled = await api.ok(f"/children/{first}/enrolment", body)
    assert "enrollment.IdentityClaimed" not in enrolled["events"]
    temporary = enrolment(2)
    temporary["child"]["hetu"] = demo_hetu(date.fromisoformat(temporary["child"]["date_of_birth"]), 950)
    await api.ok(f"/children/{second}/enrolment", temporary)

    permanent = demo_hetu(date.fromisoformat(body["child"]["date_of_birth"]), 202)
    recorded = await api.ok(f"/children/{first}/permanent-identity-code", {"hetu": permanent})
    assert recorded["events"] == ["enrollment.ChildPermanentIdentityCodeRecorded", "enrollment.IdentityClaimed"]

    again = await api.command(f"/children/{first}/permanent-identity-code", {"hetu": permanent})
    assert refusal(again) == (409, "body.hetu")
    taken = await api.command(f"/children/{second}/permanent-identity-code", {"hetu": permanent})
    assert refusal(taken) == (409, "body.hetu")
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        masked = await conn.fetchval(f"SELECT hetu_masked FROM {READ_SCHEMA}.children WHERE child_id = $1", first)
    assert masked == permanent[:7] + "****"


async def test_a_school_and_class_change_shows_in_the_read_model(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)

    await api.ok(f"/children/{child_id}/school", {
        "school": {"name": "Hakunilan yläkoulu"}, "class_name": "7C", "changed_on": "2025-12-01",
    })
    early = await api.command(f"/children/{child_id}/school", {
        "school": {"name": "Hakunilan yläkoulu"}, "class_name": "7C", "changed_on": "2025-08-01",
    })

    assert refusal(early) == (422, "body.changed_on")
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT school_name, class_name FROM {READ_SCHEMA}.children WHERE child_id = $1", child_id
        )
    assert tuple(row.values()) == ("Hakunilan yläkoulu", "7C")


async def test_an_exit_for_an_out_of_home_placement_ends_the_sharing_consents(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.ok(f"/children/{child_id}/consents", {
        "consent_id": "sharing-1", "subject_id": child_id, "purpose": "sharing_with_school",
        "signed_by": "guardian-1", "evidence": FORM,
    })

    result = await api.ok(f"/children/{child_id}/exit", {"exited_on": "2025-12-01", "reason": "out_of_home_placement"})

    assert result["events"] == [
        "enrollment.ChildExited", "enrollment.SharingConsentsEnded", "enrollment.ChildLeftTeam",
    ]
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT status, exit_reason FROM {READ_SCHEMA}.children WHERE child_id = $1", child_id
        )
        sharing = await conn.fetchval(
            f"SELECT in_force FROM {READ_SCHEMA}.consent_status WHERE child_id = $1 AND purpose = $2",
            child_id, "sharing_with_school",
        )
    assert tuple(row.values()) == ("exited", "out_of_home_placement")
    assert sharing is False


async def test_withdrawing_the_participation_consent_exits_the_child(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)

    result = await api.ok(f"/children/{child_id}/consent-withdrawals", {
        "consent_id": "consent-1", "signed_by": "guardian-1", "evidence": FORM,
    })

    assert result["events"] == ["enrollment.ConsentWithdrawn", "enrollment.ChildExited", "enrollment.ChildLeftTeam"]
    assert (await stored_types(api, child_id))[-2:] == ["enrollment.ConsentWithdrawn", "enrollment.ChildExited"]


async def test_completion_before_the_end_of_basic_education_and_a_follow_up_before_completion_are_refused(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)

    early = await api.command(f"/children/{child_id}/completion", {
        "completed_on": "2026-05-31", "outcome": "further_studies_started",
    })
    follow_up = await api.command(f"/children/{child_id}/follow-up", {"started_on": "2026-06-01"})

    assert refusal(early) == (422, "body.completed_on")
    assert refusal(follow_up) == (409, "body.child_id")


async def test_a_guardian_with_other_custody_needs_its_basis_and_an_interpreter_needs_a_language(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1)

    no_basis = await api.command(f"/children/{child_id}/guardians", {
        "guardians": [{**guardian(1), "custody": "other"}],
    })
    no_language = await api.command(f"/children/{child_id}/guardians", {
        "guardians": [{**guardian(1), "custody": "sole", "interpreter_needed": True}],
    })
    fine = await api.command(f"/children/{child_id}/guardians", {
        "guardians": [{**guardian(1), "custody": "foster_carer", "interpreter_needed": True, "language": "ar"}],
    })

    assert refusal(no_basis) == (422, "body.guardians[0].custody_basis")
    assert refusal(no_language) == (422, "body.guardians[0].language")
    assert fine.status_code == 200
