"""No request can stop the log: every field of every billing command has a bound that fits the domain, is in
the OpenAPI schema, and is answered 422 with the field path (nothing written)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from billing_api import Api
from billing_builders import CITY, agreement_body

pytestmark = pytest.mark.integration


def problem_fields(response: httpx.Response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


async def agreement_events(api: Api) -> int:
    return len(await api.billing.runtime.store.read_stream("agreement", "p-vantaa"))


async def test_an_agreement_with_thousands_of_payers_is_refused(api: Api) -> None:
    payers = [{**CITY.model_dump(mode="json"), "payer_id": f"payer-{n}"} for n in range(3000)]

    response = await api.command("/agreements/p-vantaa", agreement_body(payers=payers))

    assert response.status_code == 422, response.text
    assert "at most 10" in problem_fields(response)["body.payers"]
    assert await agreement_events(api) == 0


async def test_an_oversize_string_is_refused_naming_the_field(api: Api) -> None:
    response = await api.command("/agreements/p-vantaa", agreement_body(
        seller={**agreement_body()["seller"], "name": "Icehearts ry " * 10_000}))

    assert response.status_code == 422, response.text
    [(field, reason)] = problem_fields(response).items()
    assert field.startswith("body.seller") and field.endswith("name")
    assert "at most 200" in reason
    assert await agreement_events(api) == 0


async def test_an_amount_or_a_date_outside_the_domain_is_refused(api: Api) -> None:
    huge_price = await api.command("/agreements/p-vantaa", agreement_body(price_per_team_cents=2**70))
    far_future = await api.command("/agreements/p-vantaa", agreement_body(valid_from="3189-01-01"))
    before_programme = await api.command("/agreements/p-vantaa", agreement_body(valid_until="1850-12-31"))

    assert (huge_price.status_code, far_future.status_code, before_programme.status_code) == (422, 422, 422)
    assert "10000000000" in problem_fields(huge_price)["body.price_per_team_cents"]
    assert "2100-12-31" in problem_fields(far_future)["body.valid_from"]
    assert "1990-01-01" in problem_fields(before_programme)["body.valid_until"]
    assert await agreement_events(api) == 0


async def test_the_bounds_are_in_the_openapi_schema(api: Api) -> None:
    schema = (await api.client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]

    def bound(field: str, key: str) -> set[Any]:
        """The value of `key` (e.g. maxItems) of every property called `field`, in any request model."""
        found = set()
        for model in components.values():
            prop = model.get("properties", {}).get(field, {})
            found |= {option[key] for option in [prop, *prop.get("anyOf", [])] if key in option}
        return found

    assert 10 in bound("payers", "maxItems")
    assert 10_000_000_000 in bound("price_per_team_cents", "maximum")
    assert 10_000_000_000 in bound("amount_cents", "maximum")
    assert 40 in bound("periods", "maxItems")
    assert 20 in bound("metrics", "maxItems")
    assert 64 in bound("evidence_hash", "maxLength")
    assert "2100-12-31" in bound("valid_from", "formatMaximum")
    assert "2100-12-31" in bound("paid_on", "formatMaximum")
