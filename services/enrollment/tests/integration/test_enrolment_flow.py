"""The enrolment flow through the HTTP API, and the refusals a user would meet."""

from __future__ import annotations

import pytest
from enrollment_scenario import TEAM, enrolled_child, partnership_with_teams

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
