"""Oversized, malformed and surprising requests get clear 4xx answers; failures leak nothing."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from rinnalla_runtime.problems import problem_type

Auth = Callable[..., dict[str, str]]
NOTES = "/v1/children/child-092-0001/notes"


@pytest.fixture
def mentor(auth: Auth) -> dict[str, str]:
    return auth("mentor.vantaa", purpose="programme_delivery")


async def test_a_body_over_the_limit_is_413_before_it_is_read(
    client: httpx.AsyncClient, mentor: dict[str, str]
) -> None:
    response = await client.post(NOTES, content=b"x" * 5000, headers={**mentor, "Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["type"] == problem_type("body_too_large")
    assert response.json()["detail"] == "the request body exceeds the limit of 4096 bytes"


async def test_a_streamed_body_without_length_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, mentor: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b'{"text": "' + b"x" * 1000

    response = await client.post(NOTES, content=chunks(), headers={**mentor, "Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["type"] == problem_type("body_too_large")


async def test_validation_errors_name_the_field_and_the_reason(
    client: httpx.AsyncClient, mentor: dict[str, str]
) -> None:
    response = await client.post(NOTES, json={"text": "", "tags": [{"name": "ok"}, {"name": ""}]}, headers=mentor)

    assert response.status_code == 422
    body = response.json()
    assert body["type"] == problem_type("validation_failed")
    assert body["status"] == 422
    fields = {(e["field"], e["type"]) for e in body["errors"]}
    assert fields == {("body.text", "string_too_short"), ("body.tags[1].name", "string_too_short")}
    assert "body.text" in body["detail"]


async def test_unknown_fields_are_refused_not_ignored(client: httpx.AsyncClient, mentor: dict[str, str]) -> None:
    response = await client.post(NOTES, json={"text": "hello", "author": "someone else"}, headers=mentor)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.author", "reason": "Extra inputs are not permitted", "type": "extra_forbidden"}
    ]


async def test_invalid_json_is_a_422_that_does_not_echo_the_input(
    client: httpx.AsyncClient, mentor: dict[str, str]
) -> None:
    response = await client.post(
        NOTES, content=b'{"text": "131052-308T', headers={**mentor, "Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert "131052-308T" not in response.text


async def test_an_unexpected_error_is_a_500_without_stack_trace_or_sql(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/boom", headers={**auth("admin.vantaa"), "X-Request-ID": "trace-me-42"})

    assert response.status_code == 500
    assert response.json() == {
        "type": problem_type("internal_error"),
        "title": "Internal error",
        "status": 500,
        "detail": "an unexpected error occurred; quote the request id when reporting it",
        "instance": "urn:rinnalla:request:trace-me-42",
        "request_id": "trace-me-42",
    }
    assert response.headers["X-Request-ID"] == "trace-me-42"


async def test_a_missing_route_answers_in_the_same_json_shape(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/nothing-here", headers=auth("admin.vantaa"))

    assert response.status_code == 404
    assert response.json()["type"] == problem_type("not_found")
    assert response.json()["detail"] == "Not Found"


async def test_a_malformed_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})

    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 32
