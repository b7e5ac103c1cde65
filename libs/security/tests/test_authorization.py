"""Who may call what: deny by default, roles, purposes, tenants and relationships, seen over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from rinnalla_runtime.problems import PROBLEM_MEDIA_TYPE, problem_type
from rinnalla_security import MemoryAuditLog

Auth = Callable[..., dict[str, str]]


async def test_health_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200


async def test_no_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/teams/team-092-2019-a")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="rinnalla"'
    assert response.headers["Content-Type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": problem_type("unauthenticated"), "title": "Unauthenticated", "status": 401,
        "detail": "a bearer token is required", "instance": f"urn:rinnalla:request:{response.headers['X-Request-ID']}",
        "request_id": response.headers["X-Request-ID"],
    }


async def test_an_invalid_token_is_401_saying_why(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/teams/team-092-2019-a", headers={"Authorization": "Bearer abc.def.ghi"})

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.json()["detail"] == "malformed token"


async def test_a_basic_auth_header_is_not_a_bearer_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/teams/team-092-2019-a", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401
    assert "Bearer <token>" in response.json()["detail"]


async def test_unknown_paths_do_not_reveal_themselves_to_anonymous_callers(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/no-such-thing")).status_code == 401


async def test_a_role_the_rule_names_is_let_in(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/teams/team-092-2019-a", headers=auth("official.vantaa"))

    assert response.status_code == 200


async def test_a_role_the_rule_does_not_name_is_403(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/teams/team-092-2019-a", headers=auth("fund.hameenlinna"))

    assert response.status_code == 403
    assert response.json()["type"] == problem_type("forbidden")
    assert response.json()["detail"] == "your roles (sib_fund) may not perform team.read"


async def test_another_tenants_record_is_404_not_403(client: httpx.AsyncClient, auth: Auth) -> None:
    foreign = await client.get("/v1/teams/team-109-2020-a", headers=auth("official.vantaa"))
    missing = await client.get("/v1/teams/team-does-not-exist", headers=auth("official.vantaa"))

    assert foreign.status_code == missing.status_code == 404
    same = ("type", "title", "status", "detail")  # only the request id differs
    assert [foreign.json()[key] for key in same] == [missing.json()[key] for key in same]


async def test_a_personal_data_endpoint_without_purpose_is_422(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    response = await client.get("/v1/children/child-092-0001", headers=auth("mentor.vantaa"))

    assert response.status_code == 422
    assert response.json()["type"] == problem_type("purpose_required")
    assert "X-Purpose" in response.json()["detail"]
    assert [e["field"] for e in response.json()["errors"]] == ["header.X-Purpose"]
    assert memory_log.accesses == []


async def test_an_unknown_purpose_is_422_and_nothing_is_logged(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    response = await client.get("/v1/children/child-092-0001", headers=auth("mentor.vantaa", purpose="foo"))

    assert response.status_code == 422
    assert response.json()["type"] == problem_type("purpose_not_recognised")
    assert "'foo' is not a processing purpose" in response.json()["detail"]
    assert memory_log.accesses == []


async def test_a_purpose_the_callers_role_may_not_claim_is_422(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    guardian_claims_delivery = await client.get(
        "/v1/children/child-092-0002", headers=auth("guardian.vantaa", purpose="programme_delivery")
    )

    assert guardian_claims_delivery.status_code == 422
    assert guardian_claims_delivery.json()["type"] == problem_type("purpose_not_permitted")
    assert "your roles (guardian) may not claim" in guardian_claims_delivery.json()["detail"]
    assert memory_log.accesses == []


async def test_a_mentor_reads_own_teams_child_and_the_access_is_logged(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    response = await client.get(
        "/v1/children/child-092-0001", headers={**auth("mentor.vantaa", purpose="programme_delivery"),
                                                "X-Request-ID": "req-123"}
    )

    assert response.status_code == 200
    [entry] = memory_log.accesses
    assert entry.actor_id == "user-mentor.vantaa"
    assert entry.actor_roles == ("mentor",)
    assert entry.actor_organisation == "org-icehearts"
    assert entry.subject_id == "child-092-0001"
    assert entry.purpose == "programme_delivery"
    assert entry.action == "child.read"
    assert entry.access_kind == "read"
    assert entry.endpoint == "GET /v1/children/{child_id}"
    assert entry.tenants == ("092",)
    # the audit log names the request by the server's id, never by one the caller chose
    assert entry.request_id == response.headers["X-Request-ID"] != "req-123"
    assert len(entry.request_id) == 32


async def test_a_mentor_cannot_read_a_child_of_another_team(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    other_tenant = await client.get(
        "/v1/children/child-109-0001", headers=auth("mentor.vantaa", purpose="programme_delivery")
    )

    assert other_tenant.status_code == 404
    assert memory_log.accesses == []


async def test_a_guardian_reads_own_child_only(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = auth("guardian.vantaa", purpose="own_child")

    assert (await client.get("/v1/children/child-092-0002", headers=headers)).status_code == 200
    assert (await client.get("/v1/children/child-109-0001", headers=headers)).status_code == 404


async def test_a_list_endpoint_logs_every_child_it_returns(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    response = await client.get("/v1/children", headers=auth("mentor.vantaa", purpose="programme_delivery"))

    assert response.json() == ["child-092-0001", "child-092-0002"]
    assert [entry.subject_id for entry in memory_log.accesses] == ["child-092-0001", "child-092-0002"]


async def test_a_route_may_accept_only_some_purposes(client: httpx.AsyncClient, auth: Auth) -> None:
    url = "/v1/children/child-092-0001/safeguarding"

    curious = await client.get(url, headers=auth("coordinator.vantaa", purpose="curiosity"))
    safeguarding = await client.get(url, headers=auth("coordinator.vantaa", purpose="safeguarding"))

    assert curious.status_code == 422
    assert "accepted here: safeguarding, supervision" in curious.json()["detail"]
    assert safeguarding.status_code == 200


async def test_a_purpose_with_control_characters_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = {**auth("mentor.vantaa"), "X-Purpose": "ok\tthen"}

    response = await client.get("/v1/children/child-092-0001", headers=headers)

    assert response.status_code == 422


async def test_a_write_is_logged_as_a_write(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    response = await client.post(
        "/v1/children/child-092-0001/notes", json={"text": "Went well"},
        headers=auth("mentor.vantaa", purpose="programme_delivery"),
    )

    assert response.status_code == 201
    assert [(e.action, e.access_kind) for e in memory_log.accesses] == [("note.add", "write")]


async def test_a_disclosure_is_logged_with_recipient_and_consent(
    client: httpx.AsyncClient, auth: Auth, memory_log: MemoryAuditLog
) -> None:
    response = await client.post(
        "/v1/children/child-092-0001/network-summary", headers=auth("mentor.vantaa", purpose="network_meeting")
    )

    assert response.status_code == 200
    [disclosure] = memory_log.disclosures
    assert disclosure.recipient_organisation == "org-county-vantaa-kerava"
    assert disclosure.consent_id == "consent-123"
    assert disclosure.subject_id == "child-092-0001"
    assert disclosure.purpose == "network_meeting"


async def test_personal_data_that_was_not_logged_never_leaves(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get(
        "/v1/children/child-092-0001/forgot-to-log", headers=auth("mentor.vantaa", purpose="programme_delivery")
    )

    assert response.status_code == 500
    assert response.json()["type"] == problem_type("access_not_logged")
    assert "unlogged personal data" not in response.text


async def test_without_an_audit_log_a_personal_data_endpoint_fails_closed(
    app_factory: Callable[..., object], auth: Auth
) -> None:
    app = app_factory(None)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get(
            "/v1/children/child-092-0001", headers=auth("mentor.vantaa", purpose="programme_delivery")
        )

    assert response.status_code == 500
    assert "child-092-0001" not in response.text


async def test_openapi_needs_no_token_and_no_rule(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert "/v1/children/{child_id}" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["bearerFormat"] == "JWT"
