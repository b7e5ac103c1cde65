"""The audit API over HTTP with the log in real PostgreSQL: a guardian asks who read their child's data."""

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, Request
from rinnalla_security import (
    AuthSettings,
    PostgresAuditLog,
    Principal,
    Relations,
    audit_router,
    install_audit_schema,
    install_security,
)

pytestmark = pytest.mark.integration

Auth = Callable[..., dict[str, str]]
CHILD = "child-092-0001"


@pytest.fixture
async def pg_client(database_url: str, app_factory: Callable[..., FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await install_audit_schema(conn)
    app = app_factory(PostgresAuditLog(pool, service="demo"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await pool.close()


async def read_child_as_mentor(client: httpx.AsyncClient, auth: Auth, child: str = CHILD) -> None:
    response = await client.get(f"/v1/children/{child}", headers=auth("mentor.vantaa", purpose="programme_delivery"))
    assert response.status_code == 200


async def test_a_guardian_sees_who_read_their_childs_data(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    await read_child_as_mentor(pg_client, auth)
    await read_child_as_mentor(pg_client, auth, "child-092-0002")

    response = await pg_client.get(f"/v1/audit/subjects/{CHILD}/accesses", headers=auth("guardian.vantaa"))

    assert response.status_code == 200
    body = response.json()
    readers = [(e["actor_name"], e["actor_roles"], e["actor_organisation"], e["purpose"]) for e in body["entries"]]
    assert readers == [
        ("Aino Mentor", ["mentor"], "org-icehearts", "programme_delivery"),
        ("Pekka Guardian", ["guardian"], None, "client_rights_log_request"),  # asking is itself logged
    ]
    assert body["count"] == 2
    assert body["special_reason"] is None


async def test_the_history_exports_as_csv(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    await read_child_as_mentor(pg_client, auth)

    response = await pg_client.get(
        f"/v1/audit/subjects/{CHILD}/accesses", params={"format": "csv"}, headers=auth("guardian.vantaa")
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="access-log-{CHILD}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["seq"], r["actor_name"], r["action"]) for r in rows] == [
        ("1", "Aino Mentor", "child.read"),
        ("2", "Pekka Guardian", "audit.subject_log.read"),
    ]
    assert list(rows[0])[:2] == ["seq", "occurred_at"]


async def test_nobody_else_learns_whose_logs_exist(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    await read_child_as_mentor(pg_client, auth)

    own = await pg_client.get(f"/v1/audit/subjects/{CHILD}/accesses", headers=auth("child.vantaa"))
    sibling = await pg_client.get("/v1/audit/subjects/child-092-0002/accesses", headers=auth("child.vantaa"))
    foreign_child = await pg_client.get(
        "/v1/audit/subjects/child-109-0001/accesses", headers=auth("guardian.vantaa")
    )
    mentor = await pg_client.get(f"/v1/audit/subjects/{CHILD}/accesses", headers=auth("mentor.vantaa"))

    assert own.status_code == 200  # the child sees their own log
    assert sibling.status_code == foreign_child.status_code == 404
    assert mentor.status_code == 403


async def test_log_data_older_than_two_years_needs_a_special_reason(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    url = f"/v1/audit/subjects/{CHILD}/accesses"

    refused = await pg_client.get(url, params={"since": "2019-01-01T00:00:00Z"}, headers=auth("guardian.vantaa"))
    granted = await pg_client.get(
        url,
        params={"since": "2019-01-01T00:00:00Z", "reason": "suspected unauthorised processing"},
        headers=auth("guardian.vantaa"),
    )

    assert refused.status_code == 400
    assert refused.json()["type"] == "urn:rinnalla:problem:special_reason_required"
    assert granted.status_code == 200
    [own_request] = granted.json()["entries"]
    assert own_request["purpose"] == "client_rights_log_request; special reason: suspected unauthorised processing"


async def test_a_guardian_sees_to_whom_the_data_was_disclosed(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    sent = await pg_client.post(
        f"/v1/children/{CHILD}/network-summary", headers=auth("mentor.vantaa", purpose="network_meeting")
    )
    assert sent.status_code == 200

    response = await pg_client.get(f"/v1/audit/subjects/{CHILD}/disclosures", headers=auth("guardian.vantaa"))

    [disclosure] = response.json()["entries"]
    assert disclosure["recipient_organisation"] == "org-county-vantaa-kerava"
    assert disclosure["disclosed"] == "participation status; mentor contact"
    assert disclosure["consent_id"] == "consent-123"


async def test_the_dpo_sees_only_rows_of_own_tenants(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    await read_child_as_mentor(pg_client, auth)

    vantaa = await pg_client.get(f"/v1/audit/subjects/{CHILD}/accesses", headers=auth("dpo.vantaa"))

    assert [e["actor_id"] for e in vantaa.json()["entries"]] == ["user-mentor.vantaa", "user-dpo.vantaa"]


async def test_another_municipalitys_subject_is_404_like_every_other_read(
    pg_client: httpx.AsyncClient, auth: Auth
) -> None:
    hameenlinna_child = "child-109-0001"
    read = await pg_client.get(
        f"/v1/children/{hameenlinna_child}", headers=auth("mentor.hameenlinna", purpose="programme_delivery")
    )
    assert read.status_code == 200

    answers = [
        await pg_client.get(f"/v1/audit/subjects/{hameenlinna_child}/accesses", headers=auth("dpo.vantaa")),
        await pg_client.get(f"/v1/audit/subjects/{hameenlinna_child}/disclosures", headers=auth("dpo.vantaa")),
    ]
    foreign_user = await pg_client.get(
        "/v1/audit/actors/user-mentor.hameenlinna/accesses", headers=auth("supervisor.vantaa")
    )

    assert [answer.status_code for answer in answers] == [404, 404]
    assert all(answer.json()["type"] == "urn:rinnalla:problem:not_found" for answer in answers)
    # a user's log shows only the rows of the caller's municipalities
    assert (foreign_user.status_code, foreign_user.json()["entries"]) == (200, [])


async def test_a_supervisor_sees_what_a_mentor_accessed(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    await read_child_as_mentor(pg_client, auth)
    await read_child_as_mentor(pg_client, auth, "child-092-0002")

    response = await pg_client.get(
        "/v1/audit/actors/user-mentor.vantaa/accesses", params={"format": "json"}, headers=auth("supervisor.vantaa")
    )
    as_mentor = await pg_client.get("/v1/audit/actors/user-mentor.vantaa/accesses", headers=auth("mentor.vantaa"))

    assert [e["subject_id"] for e in response.json()["entries"]] == [CHILD, "child-092-0002"]
    assert as_mentor.status_code == 403


async def test_the_dpo_verifies_the_chains(pg_client: httpx.AsyncClient, auth: Auth) -> None:
    await read_child_as_mentor(pg_client, auth)

    response = await pg_client.get("/v1/audit/verify", headers=auth("dpo.vantaa"))

    reports: list[dict[str, Any]] = response.json()
    assert [(r["log"], r["ok"], r["rows_checked"]) for r in reports] == [("access", True, 1), ("disclosure", True, 0)]
    assert (await pg_client.get("/v1/audit/verify", headers=auth("mentor.vantaa"))).status_code == 403


async def test_a_service_can_refuse_a_guardian_whom_the_minor_has_barred(
    database_url: str, dev_settings: AuthSettings, auth: Auth
) -> None:
    async def guardian_of_both(request: Request, principal: Principal) -> Relations:
        return Relations(child_ids=frozenset({CHILD, "child-092-0002"}))

    async def minor_prohibits_guardian(principal: Principal, subject_id: str) -> bool:
        return not (principal.subject == "guardian-092-0001" and subject_id == CHILD)

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await install_audit_schema(conn)
        app = FastAPI()
        install_security(app, service="demo", settings=dev_settings, audit_log=PostgresAuditLog(pool, service="demo"))
        app.include_router(audit_router(subject_check=minor_prohibits_guardian, relations=guardian_of_both))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            barred = await http.get(f"/v1/audit/subjects/{CHILD}/accesses", headers=auth("guardian.vantaa"))
            sibling = await http.get("/v1/audit/subjects/child-092-0002/accesses", headers=auth("guardian.vantaa"))
    finally:
        await pool.close()

    assert barred.status_code == 404
    assert sibling.status_code == 200
