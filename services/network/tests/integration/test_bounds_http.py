"""No request can stop the log: every field of every network command has a bound that fits the domain, is in
the OpenAPI schema, and is answered 422 with the field path (nothing written)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from network_stack import Stack, ready, referral

pytestmark = pytest.mark.integration

FAMILY = {"organisation_id": "org-county-vantaa-kerava", "worker_id": "worker-1", "municipality_code": "092",
          "route": "resource_steering", "child_ids": ["child-0001"], "guardian_ids": ["guardian-1"],
          "referred_on": "2026-09-01"}


def problem_fields(response: httpx.Response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


async def events_of(stack: Stack, stream_type: str, stream_id: str) -> int:
    return len(await stack.network_context.runtime.store.read_stream(stream_type, stream_id))


async def test_a_partner_serving_thousands_of_areas_with_an_oversize_business_id_is_refused(stack: Stack) -> None:
    await stack.programme()
    body = {"name": "X", "kind": "ngo", "business_id": "0201256-6", "service_types": ["hobby_or_club"],
            "municipality_codes": ["092"] * 5000, "channel": "api"}

    many_areas = await stack.network.post("/partners/org-x", body)
    long_id = await stack.network.post("/partners/org-x", {**body, "municipality_codes": ["092"],
                                                           "business_id": "0" * 100_000})

    assert (many_areas.status_code, long_id.status_code) == (422, 422)
    assert "at most 400" in problem_fields(many_areas)["body.municipality_codes"]
    assert "at most 20" in problem_fields(long_id)["body.business_id"]
    assert await events_of(stack, "partner", "org-x") == 0


async def test_an_oversize_referral_summary_and_list_are_refused(stack: Stack) -> None:
    child_id = await ready(stack)

    long_summary = await stack.network.post("/referrals/referral-long", referral(child_id, summary="s" * 200_000),
                                            user="mentor.vantaa")
    many_reasons = await stack.network.post(
        "/referrals/referral-many", referral(child_id, reason_codes=["family_strain"] * 3000), user="mentor.vantaa")

    assert (long_summary.status_code, many_reasons.status_code) == (422, 422)
    assert "at most 2000" in problem_fields(long_summary)["body.summary"]
    assert "body.reason_codes" in problem_fields(many_reasons)
    assert await events_of(stack, "referral", "referral-long") == 0
    assert await events_of(stack, "referral", "referral-many") == 0


async def test_a_family_too_large_or_a_date_outside_the_domain_is_refused(stack: Stack) -> None:
    await stack.programme()

    many_children = await stack.network.post(
        "/family-partnerships/fp-many", {**FAMILY, "child_ids": [f"child-{n:04d}" for n in range(3000)]})
    far_future = await stack.network.post("/family-partnerships/fp-3189", {**FAMILY, "referred_on": "3189-01-01"})
    long_meeting = await stack.network.post(
        "/family-partnerships/fp-3189/meetings", {"kind": "home_visit", "met_on": "2026-09-02", "minutes": 2**70})

    assert (many_children.status_code, far_future.status_code, long_meeting.status_code) == (422, 422, 422)
    assert "at most 15" in problem_fields(many_children)["body.child_ids"]
    assert "2100-12-31" in problem_fields(far_future)["body.referred_on"]
    assert "600" in problem_fields(long_meeting)["body.minutes"]
    assert await events_of(stack, "family_partnership", "fp-many") == 0
    assert await events_of(stack, "family_partnership", "fp-3189") == 0


async def test_the_bounds_are_in_the_openapi_schema(stack: Stack) -> None:
    schema = (await stack.network.http.get("/openapi.json")).json()
    components = schema["components"]["schemas"]

    def bound(field: str, key: str) -> set[Any]:
        """The value of `key` (e.g. maxItems) of every property called `field`, in any request model."""
        found = set()
        for model in components.values():
            prop = model.get("properties", {}).get(field, {})
            found |= {option[key] for option in [prop, *prop.get("anyOf", [])] if key in option}
        return found

    assert 400 in bound("municipality_codes", "maxItems")
    assert 20 in bound("business_id", "maxLength")
    assert 2000 in bound("summary", "maxLength")
    assert 15 in bound("child_ids", "maxItems")
    assert 8 in bound("guardian_ids", "maxItems")
    assert bound("reason_codes", "maxItems")
    assert bound("members", "maxItems")
    assert 600 in bound("minutes", "maximum")
    assert "2100-12-31" in bound("referred_on", "formatMaximum")
    assert "2100-12-31" in bound("met_on", "formatMaximum")
