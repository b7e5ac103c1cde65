"""The child-welfare notification marker over HTTP: the fact of the filing, never its content."""

from __future__ import annotations

from typing import Any

import pytest
from caselog_api import TEAM_B_MENTOR, Api

pytestmark = pytest.mark.integration

MARKER = {"child_id": "child-092-0001", "filed_on": "2026-10-08", "filer_role": "mentor", "channel": "phone",
          "family_informed": True}


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


async def test_a_marker_with_content_is_refused_and_nothing_is_recorded(api: Api) -> None:
    response = await api.post("/notification-markers/marker-1", {**MARKER, "content": "the child told me ..."})
    assert response.status_code == 422
    assert "never carries the notification's content" in response.text
    assert "the child told me" not in response.text
    async with api.caselog.runtime.connections.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM caselog.events") == 0


async def test_the_mentor_records_a_marker_and_sees_only_their_own(api: Api) -> None:
    recorded = await api.post("/notification-markers/marker-1", MARKER)
    assert recorded.status_code == 200, recorded.text
    by_coordinator = await api.post("/notification-markers/marker-2", {**MARKER, "filer_role": "coordinator",
                                                                      "channel": "secure_form"},
                                    user="coordinator.vantaa")
    assert by_coordinator.status_code == 200, by_coordinator.text
    await api.project()
    mine = (await api.get("/notification-markers/mine")).json()["markers"]
    assert [(m["marker_id"], m["county_code"], m["channel"]) for m in mine] == [("marker-1", "04", "phone")]
    theirs = (await api.get("/notification-markers/mine", user="coordinator.vantaa")).json()["markers"]
    assert [m["marker_id"] for m in theirs] == ["marker-2"]


async def test_a_marker_for_another_team_s_child_or_by_e_mail_is_refused(api: Api) -> None:
    other = await api.post("/notification-markers/marker-3", MARKER, claims=TEAM_B_MENTOR)
    assert other.status_code == 404
    email = await api.post("/notification-markers/marker-4", {**MARKER, "channel": "email"})
    assert email.status_code == 422 and "channel" in email.text
    unknown_county = await api.post("/notification-markers/marker-5", {**MARKER, "county_code": "99"})
    assert unknown_county.status_code == 422 and fields(unknown_county) == ["body.county_code"]
