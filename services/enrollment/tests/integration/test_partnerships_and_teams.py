"""Partnerships, teams and money over HTTP, against PostgreSQL: refusals name the field that is wrong."""

from __future__ import annotations

import httpx
import pytest
from enrollment_scenario import OTHER_TEAM, PARTNERSHIP, TEAM, partnership_with_teams

pytestmark = pytest.mark.integration

CITY = {"kind": "municipality", "code": "092", "business_id": "0124610-9", "share_basis_points": 5000}
COUNTY = {"kind": "wellbeing_services_county", "code": "04", "share_basis_points": 5000}


def problem(response: httpx.Response) -> tuple[int, list[str]]:
    return response.status_code, [error["field"] for error in response.json()["errors"] or []]


async def test_the_city_and_its_county_split_each_teams_price_and_bad_splits_name_the_field(api):
    await partnership_with_teams(api)
    path = f"/partnerships/{PARTNERSHIP}/cost-sharing"
    body = {"agreed_on": "2025-03-01", "valid_from": "2025-08-01", "payers": [CITY, COUNTY]}

    agreed = await api.ok(path, body)
    assert agreed["events"] == ["enrollment.PartnershipCostSharingAgreed"]

    uneven = {**body, "payers": [CITY, {**COUNTY, "share_basis_points": 4000}]}
    assert problem(await api.command(path, uneven)) == (422, ["body.payers"])
    bad_business_id = {**body, "payers": [{**CITY, "business_id": "0124610-8"}, COUNTY]}
    assert problem(await api.command(path, bad_business_id)) == (422, ["body.payers[0].business_id"])


async def test_a_mentor_who_leads_a_team_is_refused_as_the_lead_of_another_with_409(api):
    await partnership_with_teams(api)  # the demo mentor leads TEAM

    refused = await api.command(f"/teams/{OTHER_TEAM}/mentors",
                                {"mentor_id": "user-mentor.vantaa", "starts_on": "2025-08-01"})
    assert problem(refused) == (409, ["body.mentor_id"])

    await api.ok(f"/teams/{TEAM}/mentor-departures", {"mentor_id": "user-mentor.vantaa", "left_on": "2025-12-31"})
    await api.ok(f"/teams/{OTHER_TEAM}/mentors", {"mentor_id": "user-mentor.vantaa", "starts_on": "2026-01-01"})


async def test_a_team_ends_and_the_partnership_ends_each_only_at_the_right_moment(api):
    await partnership_with_teams(api)

    too_early = await api.command(f"/teams/{TEAM}/completion", {"completed_on": "2030-07-31"})
    assert problem(too_early) == (409, ["body.team_id"])  # still forming
    await api.ok(f"/teams/{TEAM}/termination", {"terminated_on": "2026-06-30", "reason": "too_few_children"})
    again = await api.command(f"/teams/{TEAM}/termination", {"terminated_on": "2026-06-30", "reason": "other"})
    assert problem(again) == (409, ["body.team_id"])

    unknown_county = await api.command(f"/partnerships/{PARTNERSHIP}/county-counterpart",
                                       {"county_code": "99", "changed_on": "2027-01-01"})
    assert problem(unknown_county) == (422, ["body.county_code"])
    await api.ok(f"/partnerships/{PARTNERSHIP}/ending", {"ended_on": "2027-07-31", "reason": "budget cuts"})
    failed = await api.command(f"/partnerships/{PARTNERSHIP}/negotiation-failure",
                               {"failed_on": "2027-08-01", "reason": "late"})
    assert problem(failed) == (409, ["body.partnership_id"])


async def test_another_municipalitys_staff_cannot_touch_the_partnership_or_its_teams(api):
    await partnership_with_teams(api)
    hameenlinna = {"user": "mentor.hameenlinna"}
    answer = await api.command(f"/teams/{TEAM}/sport", {"sport": "floorball", "chosen_on": "2025-09-01"},
                               **hameenlinna)
    assert answer.status_code in (403, 404)
    answer = await api.command(f"/partnerships/{PARTNERSHIP}/ending", {"ended_on": "2027-07-31", "reason": "x"},
                               **hameenlinna)
    assert answer.status_code in (403, 404)


async def test_the_coordinators_overview_shows_the_size_each_team_aims_for_in_its_year(api):
    await partnership_with_teams(api)
    await api.project()

    overview = {t["team_id"]: t for t in (await api.get("/teams", user="coordinator.vantaa")).json()}

    forming = overview[TEAM]
    assert forming["team_year"] == 1
    assert (forming["target_min"], forming["target_max"]) == (10, 20)
    assert forming["size"] == 0 and forming["within_target_size"] is False
