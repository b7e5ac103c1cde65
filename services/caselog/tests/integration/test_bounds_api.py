"""No request can stop the log: every field of every case-log command has a bound that fits the domain, is in
the OpenAPI schema, and is answered 422 with the field path (nothing written)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from caselog_api import TEAM_A, Api, contact

pytestmark = pytest.mark.integration

CHILD = "child-092-0001"


def problem_fields(response: httpx.Response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


async def timeline_contacts(api: Api) -> list[Any]:
    await api.project()
    response = await api.get(f"/children/{CHILD}/contacts")
    assert response.status_code == 200, response.text
    contacts: list[Any] = response.json()["contacts"]
    return contacts


async def test_a_contact_with_more_children_than_a_team_has_is_refused(api: Api) -> None:
    many = tuple(f"child-092-{n:04d}" for n in range(1, 3001))

    response = await api.post("/contacts/contact-many", contact(many))

    assert response.status_code == 422, response.text
    assert "at most 40" in problem_fields(response)["body.children"]
    assert await timeline_contacts(api) == []


async def test_an_assessment_with_thousands_of_answers_is_refused(api: Api) -> None:
    body = {"instrument": "sdq", "version": 1, "informant": "parent", "wave": "baseline", "on": "2026-09-20",
            "answers": [1] * 10_000}

    response = await api.post(f"/children/{CHILD}/assessments", body)

    assert response.status_code == 422, response.text
    assert "at most 200" in problem_fields(response)["body.answers"]


async def test_an_oversize_string_is_refused_naming_the_field(api: Api) -> None:
    marker = {"child_id": CHILD, "filed_on": "2026-10-08", "filer_role": "mentor", "channel": "phone",
              "family_informed": True, "county_code": "9" * 5000}

    response = await api.post("/notification-markers/marker-long", marker)

    assert response.status_code == 422, response.text
    assert "at most 100" in problem_fields(response)["body.county_code"]
    assert (await api.get("/notification-markers/mine")).json()["markers"] == []


async def test_a_date_or_a_number_outside_the_domain_is_refused(api: Api) -> None:
    far_future = await api.post("/contacts/contact-3189", contact(on="3189-10-05"))
    session = {"team_id": TEAM_A, "on": "2026-10-06", "kind": "practice", "minutes": 2**70,
               "attendance": [{"child_id": CHILD, "present": True}]}
    huge_session = await api.post("/sessions/session-huge", session)
    ancient_goal = await api.post("/goals/goal-old", {"child_id": CHILD, "wording": "reads a book", "set_on":
                                                      "1850-01-01", "target_on": "2027-06-01"})

    assert (far_future.status_code, huge_session.status_code, ancient_goal.status_code) == (422, 422, 422)
    assert "2100-12-31" in problem_fields(far_future)["body.on"]
    assert "7200" in problem_fields(huge_session)["body.minutes"]
    assert "1990-01-01" in problem_fields(ancient_goal)["body.set_on"]
    assert await timeline_contacts(api) == []


async def test_the_bounds_are_in_the_openapi_schema(api: Api) -> None:
    schema = (await api.caselog_http.get("/openapi.json")).json()
    components = schema["components"]["schemas"]

    def bound(field: str, key: str) -> set[Any]:
        """The value of `key` (e.g. maxItems) of every property called `field`, in any request model."""
        found = set()
        for model in components.values():
            prop = model.get("properties", {}).get(field, {})
            options = [prop, *prop.get("anyOf", [])]
            found |= {option[key] for option in options if key in option}
        return found

    assert 40 in bound("children", "maxItems")
    assert 40 in bound("attendance", "maxItems")
    assert 200 in bound("answers", "maxItems")
    assert 50 in bound("scores", "maxProperties")
    assert 720 in bound("minutes", "maximum")
    assert 4000 in bound("note", "maxLength")
    assert 100 in bound("county_code", "maxLength")
    assert 100 in bound("recipient_organisation", "maxLength")
    assert "2100-12-31" in bound("on", "formatMaximum")
    assert "2100-12-31" in bound("target_on", "formatMaximum")


async def test_a_path_id_the_command_does_not_allow_is_refused_naming_the_path(api: Api) -> None:
    star = {"definition": {
        "code": "family_star", "version": 1, "title": "Family Star Plus", "item_count": 8, "item_min": 1,
        "item_max": 10, "informants": [{"informant": "family"}],
        "scales": [{"name": "journey", "items": [1, 2, 3, 4, 5, 6, 7, 8], "method": "mean"}]}}

    response = await api.post("/instruments/NotACode/versions", star, user="coordinator.vantaa")

    assert response.status_code == 422, response.text
    assert "path.code" in problem_fields(response)
