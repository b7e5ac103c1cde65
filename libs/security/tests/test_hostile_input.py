"""Oversized, malformed and surprising requests get clear 4xx answers; failures leak nothing."""

import json
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
    request_id = response.headers["X-Request-ID"]  # the server's own; the caller's is only echoed
    assert response.json() == {
        "type": problem_type("internal_error"),
        "title": "Internal error",
        "status": 500,
        "detail": "an unexpected error occurred; quote the request id when reporting it",
        "instance": f"urn:rinnalla:request:{request_id}",
        "request_id": request_id,
    }
    assert request_id != "trace-me-42"
    assert response.headers["X-Client-Request-ID"] == "trace-me-42"


async def test_a_missing_route_answers_in_the_same_json_shape(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/nothing-here", headers=auth("admin.vantaa"))

    assert response.status_code == 404
    assert response.json()["type"] == problem_type("not_found")
    assert response.json()["detail"] == "Not Found"


async def test_a_malformed_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})

    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 32


async def test_nul_surrogates_and_control_characters_in_a_json_body_are_422_with_the_field(
    client: httpx.AsyncClient, mentor: dict[str, str]
) -> None:
    # json.dumps writes "\u0000" and "\ud800" escapes: what a hostile client sends on the wire
    body = json.dumps({"text": "fine\nand\ttabbed", "tags": [{"name": "ok"}, {"name": "a\x00b"}, {"name": "\ud800"}]})
    bell = json.dumps({"text": "ring \x07"})

    response = await client.post(NOTES, content=body, headers={**mentor, "Content-Type": "application/json"})
    rung = await client.post(NOTES, content=bell, headers={**mentor, "Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["type"]) for e in response.json()["errors"]] == [
        ("body.tags[1].name", "invalid_characters"), ("body.tags[2].name", "invalid_characters")
    ]
    assert "NUL" in response.json()["errors"][0]["reason"]
    assert "surrogate" in response.json()["errors"][1]["reason"]
    assert rung.status_code == 422
    assert rung.json()["errors"][0]["field"] == "body.text"


async def test_nul_or_control_characters_in_a_path_id_or_query_are_422_with_the_parameter(
    client: httpx.AsyncClient, mentor: dict[str, str], auth: Auth
) -> None:
    in_path = await client.get("/v1/children/child-092%000001", headers=mentor)
    in_query = await client.get(
        "/v1/audit/actors/user-mentor.vantaa/accesses?reason=a%00b", headers=auth("supervisor.vantaa")
    )
    newline_in_id = await client.get("/v1/children/child-092-0001%0A", headers=mentor)

    assert (in_path.status_code, in_path.json()["errors"][0]["field"]) == (422, "path.child_id")
    assert (in_query.status_code, in_query.json()["errors"][0]["field"]) == (422, "query.reason")
    assert (newline_in_id.status_code, newline_in_id.json()["errors"][0]["field"]) == (422, "path.child_id")


async def test_a_body_that_is_not_utf8_is_422(client: httpx.AsyncClient, mentor: dict[str, str]) -> None:
    json_type = {**mentor, "Content-Type": "application/json"}
    response = await client.post(NOTES, content=b'{"text": "\xff\xfe"}', headers=json_type)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


async def test_a_json_body_sent_as_another_media_type_is_415(client: httpx.AsyncClient, mentor: dict[str, str]) -> None:
    body = json.dumps({"text": "hello"})

    as_text = await client.post(NOTES, content=body, headers={**mentor, "Content-Type": "text/plain"})
    as_form = await client.post(
        NOTES, content="text=hello", headers={**mentor, "Content-Type": "application/x-www-form-urlencoded"}
    )
    without_type = await client.post(NOTES, content=body, headers=mentor)
    as_json = await client.post(
        NOTES, content=body, headers={**mentor, "Content-Type": "application/json; charset=utf-8"}
    )

    assert [r.status_code for r in (as_text, as_form, without_type)] == [415, 415, 415]
    assert as_text.json()["type"] == problem_type("unsupported_media_type")
    assert as_json.status_code == 201


async def test_an_unauthenticated_request_is_401_whatever_its_body(client: httpx.AsyncClient) -> None:
    response = await client.post(NOTES, content=b"\x00", headers={"Content-Type": "text/plain"})

    assert response.status_code == 401


async def test_every_answer_forbids_caching_and_sniffing(
    client: httpx.AsyncClient, mentor: dict[str, str]
) -> None:
    answers = [
        await client.get("/v1/children/child-092-0001", headers=mentor),
        await client.get("/v1/children/child-109-0001", headers=mentor),
        await client.get("/v1/children"),
        await client.get("/healthz"),
    ]

    assert [a.status_code for a in answers] == [200, 404, 401, 200]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_deeply_nested_body_is_422_not_a_crash(client: httpx.AsyncClient, mentor: dict[str, str]) -> None:
    nested = '{"text": ' + "[" * 2000 + "]" * 2000 + "}"

    response = await client.post(NOTES, content=nested, headers={**mentor, "Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "reason": "is nested too deeply", "type": "too_deep"}]


async def test_a_log_period_with_no_utc_equivalent_is_422_naming_the_parameter(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    log = "/v1/audit/actors/user-mentor.vantaa/accesses"

    early = await client.get(log, params={"since": "0001-01-01T00:00:00+14:00"}, headers=auth("supervisor.vantaa"))
    late = await client.get(log, params={"until": "9999-12-31T23:59:59-14:00"}, headers=auth("supervisor.vantaa"))

    assert (early.status_code, early.json()["errors"][0]["field"]) == (422, "query.since")
    assert (late.status_code, late.json()["errors"][0]["field"]) == (422, "query.until")
