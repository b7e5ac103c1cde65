"""Access follows the log, not the token: a mentor reaches a team from `MentorAssigned` until `MentorLeft`, a
guardian reaches their child while named a guardian and until the child's 18th birthday. Every request
below reuses one token per person, minted before the relationship changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from enrollment_scenario import OTHER_TEAM, TEAM, enrolled_child, guardian, partnership_with_teams

pytestmark = pytest.mark.integration

MENTOR = "user-mentor.vantaa"


def change_guardians(n: int) -> dict[str, object]:
    return {"guardians": [guardian(n)]}


async def test_a_mentor_assigned_to_a_new_team_sees_it_without_a_new_token(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 2, team=OTHER_TEAM)
    await api.project()
    before = await api.get(f"/children/{child_id}/consents", user="mentor.vantaa")

    # as the pair mentor: the demo mentor already leads another team, and a mentor leads one team at a time
    await api.ok(f"/teams/{OTHER_TEAM}/mentors", {"mentor_id": MENTOR, "role": "pair", "starts_on": "2025-09-01"})
    # A command follows the event store at once: the new mentor may act before the read model shows it.
    acted = await api.command(f"/children/{child_id}/guardians", change_guardians(2), user="mentor.vantaa")
    await api.project()
    teams = (await api.get("/mentor/teams", user="mentor.vantaa")).json()
    after = await api.get(f"/children/{child_id}/consents", user="mentor.vantaa")

    assert before.status_code == 404
    assert acted.status_code == 200, acted.text
    assert sorted(t["team_id"] for t in teams) == sorted([TEAM, OTHER_TEAM])
    assert after.status_code == 200


async def test_a_mentor_who_left_loses_access_at_once(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1, team=TEAM)
    await api.project()
    before = await api.get(f"/children/{child_id}/consents", user="mentor.vantaa")

    await api.ok(f"/teams/{TEAM}/mentor-departures", {"mentor_id": MENTOR, "left_on": "2025-12-31"})
    refused = await api.command(f"/children/{child_id}/guardians", change_guardians(1), user="mentor.vantaa")
    await api.project()
    teams = (await api.get("/mentor/teams", user="mentor.vantaa")).json()
    after = await api.get(f"/children/{child_id}/consents", user="mentor.vantaa")

    assert before.status_code == 200
    assert refused.status_code == 404
    assert teams == []
    assert after.status_code == 404


async def test_a_guardian_sees_their_child_until_the_child_turns_18(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)  # born 2 February 2019, guardian-1
    other = await enrolled_child(api, 2)
    await api.project()
    as_guardian = api.token("guardian.vantaa", sub="guardian-1")

    async def consents(child: str) -> int:
        response = await api.client.get(f"/v1/children/{child}/consents", headers=as_guardian)
        return response.status_code

    async def audit_log(child: str) -> int:
        response = await api.client.get(f"/v1/audit/subjects/{child}/accesses", headers=as_guardian)
        return response.status_code

    api.enrollment.clock = lambda: datetime(2037, 2, 1, 21, 59, tzinfo=UTC)  # 23:59 on 1 February in Finland
    day_before = (await consents(child_id), await audit_log(child_id), await consents(other))
    api.enrollment.clock = lambda: datetime(2037, 2, 1, 22, 0, tzinfo=UTC)  # midnight: the 18th birthday
    birthday = (await consents(child_id), await audit_log(child_id))

    assert day_before == (200, 200, 404)
    assert birthday == (404, 404)


async def test_a_guardian_removed_by_change_guardians_loses_access(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()
    as_guardian = api.token("guardian.vantaa", sub="guardian-1")
    as_new_guardian = api.token("guardian.vantaa", sub="guardian-9")

    def consent(n: int) -> dict[str, str]:
        return {"consent_id": f"consent-photos-{n}", "subject_id": child_id, "purpose": "photos",
                "evidence": {"method": "electronic", "information_version": "photos-information-2025-06"}}

    async def give(headers: dict[str, str], n: int) -> int:
        sent = {**headers, "Idempotency-Key": f"give-consent-{n}"}
        response = await api.client.post(f"/v1/children/{child_id}/consents", json=consent(n), headers=sent)
        return response.status_code

    seen = await api.client.get(f"/v1/children/{child_id}/consents", headers=as_guardian)
    given = await give(as_guardian, 1)
    await api.ok(f"/children/{child_id}/guardians", change_guardians(9))
    refused = await give(as_guardian, 2)
    await api.project()
    unseen = await api.client.get(f"/v1/children/{child_id}/consents", headers=as_guardian)
    new_guardian = await api.client.get(f"/v1/children/{child_id}/consents", headers=as_new_guardian)

    assert (seen.status_code, given) == (200, 200)
    assert refused == 404
    assert unseen.status_code == 404
    assert new_guardian.status_code == 200
