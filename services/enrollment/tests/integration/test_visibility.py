"""Who sees what: tenants, the mentor's own team, the municipality's suppressed counts."""

from __future__ import annotations

import pytest
from enrollment_scenario import FORM, IN_PERSON, OTHER_TEAM, TEAM, enrolled_child, partnership_with_teams

pytestmark = pytest.mark.integration


async def test_another_municipalitys_staff_get_404_for_a_record_that_exists(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()
    outsider = {"tenants": ["109"]}

    read = await api.client.get(
        f"/v1/children/{child_id}/consents", headers=api.token("coordinator.vantaa", **outsider)
    )
    write = await api.client.post(
        f"/v1/children/{child_id}/exit",
        json={"exited_on": "2026-01-01", "reason": "moved_away"},
        headers={**api.token("coordinator.vantaa", **outsider), "Idempotency-Key": "outsider-exit-1"},
    )
    team_write = await api.client.post(
        f"/v1/teams/{TEAM}/activation", json={"activated_on": "2026-08-10"},
        headers={**api.token("coordinator.vantaa", **outsider), "Idempotency-Key": "outsider-activate-1"},
    )

    assert (read.status_code, write.status_code, team_write.status_code) == (404, 404, 404)
    assert (await api.get(f"/children/{child_id}/consents", user="coordinator.vantaa")).status_code == 200


async def test_a_mentor_sees_only_their_own_team(api):
    await partnership_with_teams(api)
    own = await enrolled_child(api, 1, team=TEAM)
    other = await enrolled_child(api, 2, team=OTHER_TEAM)
    await api.project()

    teams = (await api.get("/mentor/teams", user="mentor.vantaa")).json()
    elsewhere = (await api.get("/mentor/teams", user="mentor.hameenlinna")).json()

    assert [t["team_id"] for t in teams] == [TEAM]
    assert [c["child_id"] for c in teams[0]["roster"]] == [own]
    assert elsewhere == []
    assert (await api.get(f"/children/{other}/consents", user="mentor.vantaa")).status_code == 404
    assert (await api.get(f"/children/{own}/consents", user="mentor.vantaa")).status_code == 200


async def test_the_municipality_sees_counts_without_names_and_small_counts_suppressed(api):
    await partnership_with_teams(api)
    for n in range(1, 7):
        await enrolled_child(api, n, team=TEAM)
    await enrolled_child(api, 7, team=OTHER_TEAM)
    await api.ok("/children/child-0001/exit", {"exited_on": "2026-01-01", "reason": "moved_away"})
    await api.project()

    response = await api.get("/municipalities/092/statistics", user="official.vantaa")

    assert response.status_code == 200, response.text
    data = response.json()
    by_team = {(row["team_id"], row["status"]): row for row in data["enrolment"]}
    assert by_team[(TEAM, "active")]["children"] == 5 and not by_team[(TEAM, "active")]["suppressed"]
    assert by_team[(OTHER_TEAM, "active")]["children"] is None and by_team[(OTHER_TEAM, "active")]["suppressed"]
    assert by_team[(TEAM, "exited")]["children"] is None
    assert data["exits"] == [{"exit_reason": "moved_away", "children": None, "suppressed": True}]
    assert "Lapsi" not in response.text and "Esimerkki" not in response.text
    other = await api.get("/municipalities/109/statistics", user="official.vantaa")
    assert other.status_code == 404


async def test_the_consent_view_answers_whether_data_may_be_disclosed(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.ok(f"/children/{child_id}/consents", {
        "consent_id": "consent-school-1", "subject_id": child_id, "purpose": "sharing_with_school",
        "signed_by": "guardian-1", "evidence": FORM,
    })
    await api.project()
    params = {"recipient": "school", "purpose": "sharing_with_school"}

    allowed = await api.get(f"/children/{child_id}/consents", user="coordinator.vantaa", params=params)
    await api.ok(f"/children/{child_id}/understanding-assessments",
                 {"purpose": "sharing_with_school", "understands": True})
    await api.ok(f"/children/{child_id}/prohibitions", {"purpose": "sharing_with_school", "evidence": IN_PERSON})
    await api.project()
    prohibited = await api.get(f"/children/{child_id}/consents", user="coordinator.vantaa", params=params)

    assert allowed.json()["disclosure"]["allowed"] is True
    assert allowed.json()["disclosure"]["consent_id"] == "consent-school-1"
    assert prohibited.json()["disclosure"]["allowed"] is False
    assert "prohibited" in prohibited.json()["disclosure"]["reason"]
    statuses = {row["purpose"]: row["in_force"] for row in prohibited.json()["purposes"]}
    assert statuses["participation"] is True and statuses["sharing_with_school"] is False
