"""The enrolment flow through the HTTP API, and the refusals a user would meet."""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_scenario import TEAM, enrolled_child, enrolment, partnership_with_teams, selected_child

pytestmark = pytest.mark.integration


async def test_a_nominated_selected_child_with_consent_is_enrolled_and_appears_on_the_mentors_roster(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()

    response = await api.get("/mentor/teams", user="mentor.vantaa")

    assert response.status_code == 200, response.text
    [team] = response.json()
    assert team["team_id"] == TEAM and team["size"] == 1
    [child] = team["roster"]
    assert child["child_id"] == child_id
    assert child["school_name"] == "Hakunilan koulu" and child["class_name"] == "1A"
    assert child["guardians"][0]["phone"] == "+358 40 123 4567"
    assert child["consents_in_force"] == ["participation"]
    assert child["hetu_masked"] and not any(ch.isdigit() for ch in child["hetu_masked"][6:])


async def test_an_invalid_identity_code_is_refused_with_its_field(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1)

    response = await api.command(f"/children/{child_id}/enrolment", enrolment(1, hetu="150319A2345"))

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "body.child.hetu"
    assert "check" in error["reason"].lower() or "invalid" in error["reason"].lower()


async def test_a_26th_child_is_refused_because_the_team_is_full(api):
    await partnership_with_teams(api)
    for n in range(1, 26):
        await enrolled_child(api, n)
    child_id = await selected_child(api, 26)

    response = await api.command(f"/children/{child_id}/enrolment", enrolment(26))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.team_id"
    assert "full" in response.json()["detail"] and "25" in response.json()["detail"]


async def test_an_enrolment_without_participation_consent_is_refused(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1, consent=False)

    response = await api.command(f"/children/{child_id}/enrolment", enrolment(1))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.consents.participation"
    assert "consent" in response.json()["detail"]


async def test_a_child_not_yet_in_pre_primary_education_is_refused(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1)
    born = date(2020, 1, 1)  # a year younger than the cohort: still in early childhood education in 2025-26

    response = await api.command(f"/children/{child_id}/enrolment", enrolment(1, date_of_birth=born))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.child.date_of_birth"
    assert "school year -1" in response.json()["detail"]


async def test_a_refused_enrolment_writes_nothing(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1, consent=False)
    async with api.enrollment.connections.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM enrollment.events")

    await api.command(f"/children/{child_id}/enrolment", enrolment(1))

    async with api.enrollment.connections.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM enrollment.events") == before
