"""What a hostile or careless client gets from the enrollment API (real PostgreSQL and NATS): text no field
may hold is 422 naming the field and nothing is written; a body in another media type is 415; answers with
personal data are never cached; the audit log names each request by the server's own id; and the audit
endpoints answer 404 for another municipality's subject, like every other read."""

from __future__ import annotations

import json
import uuid

import pytest
from enrollment_scenario import PARTNERSHIP, enrolled_child, partnership_with_teams

pytestmark = pytest.mark.integration


def _json(api, user: str = "coordinator.vantaa") -> dict[str, str]:
    return {**api.token(user), "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}


async def test_nul_or_a_lone_surrogate_in_a_body_string_is_422_naming_the_field_and_nothing_is_written(api):
    nul = json.dumps({"municipality_code": "092", "opened_on": "2025-01-15", "notes": "a\x00b"})
    surrogate = json.dumps({"municipality_code": "09\ud8002", "opened_on": "2025-01-15"})

    answers = [
        await api.client.post("/v1/partnerships/partnership-nul", content=nul, headers=_json(api)),
        await api.client.post("/v1/partnerships/partnership-surrogate", content=surrogate, headers=_json(api)),
    ]

    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json()["errors"] == [
        {"field": "body.notes", "reason": "must not contain a NUL character", "type": "invalid_characters"}
    ]
    assert answers[1].json()["errors"][0]["field"] == "body.municipality_code"
    assert "surrogate" in answers[1].json()["errors"][0]["reason"]
    for partnership in ("partnership-nul", "partnership-surrogate"):
        retry = await api.command(f"/partnerships/{partnership}/agreement",
                                  {"signed_on": "2025-03-01", "team_count": 1, "valid_from": "2025-08-01"})
        assert retry.status_code == 404  # the partnership was never opened


async def test_nul_or_control_characters_in_a_path_id_or_a_query_are_422_naming_the_parameter(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)

    in_path = await api.client.get("/v1/children/child%000001/consents", headers=api.token("coordinator.vantaa"))
    tab_in_path = await api.client.get(f"/v1/children/{child_id}%09/consents", headers=api.token("coordinator.vantaa"))
    in_query = await api.client.get(
        f"/v1/audit/subjects/{child_id}/accesses", params={"reason": "x\x00y"}, headers=api.token("dpo.vantaa")
    )
    in_post_path = await api.client.post(
        f"/v1/partnerships/{PARTNERSHIP}%00/agreement",
        json={"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"}, headers=_json(api),
    )

    assert (in_path.status_code, in_path.json()["errors"][0]["field"]) == (422, "path.child_id")
    assert (tab_in_path.status_code, tab_in_path.json()["errors"][0]["field"]) == (422, "path.child_id")
    assert (in_query.status_code, in_query.json()["errors"][0]["field"]) == (422, "query.reason")
    assert (in_post_path.status_code, in_post_path.json()["errors"][0]["field"]) == (422, "path.partnership_id")
    for answer in (in_path, tab_in_path, in_query, in_post_path):
        assert answer.headers["Content-Type"] == "application/problem+json"


async def test_a_json_body_sent_as_another_media_type_is_415(api):
    body = json.dumps({"municipality_code": "092", "opened_on": "2025-01-15"})
    headers = {**api.token("coordinator.vantaa"), "Idempotency-Key": str(uuid.uuid4())}

    as_text = await api.client.post(
        "/v1/partnerships/partnership-text", content=body, headers={**headers, "Content-Type": "text/plain"}
    )
    untyped = await api.client.post("/v1/partnerships/partnership-text", content=body, headers=headers)
    as_json = await api.client.post(
        "/v1/partnerships/partnership-text", content=body, headers={**headers, "Content-Type": "application/json"}
    )

    assert (as_text.status_code, untyped.status_code) == (415, 415)
    assert as_text.json()["type"] == "urn:rinnalla:problem:unsupported_media_type"
    assert as_json.status_code == 200


async def test_answers_with_personal_data_are_never_cached_or_sniffed(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()

    consents = await api.client.get(f"/v1/children/{child_id}/consents", headers=api.token("coordinator.vantaa"))
    roster = await api.client.get("/v1/mentor/teams", headers=api.token("mentor.vantaa"))
    history = await api.client.get(f"/v1/audit/subjects/{child_id}/accesses", headers=api.token("dpo.vantaa"))

    for answer in (consents, roster, history):
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_audit_log_names_the_request_by_the_servers_id_not_the_callers(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()

    response = await api.client.get(
        f"/v1/children/{child_id}/consents",
        headers={**api.token("coordinator.vantaa"), "X-Request-ID": "chosen-by-the-caller"},
    )

    assert response.status_code == 200
    server_id = response.headers["X-Request-ID"]
    assert server_id != "chosen-by-the-caller"
    assert response.headers["X-Client-Request-ID"] == "chosen-by-the-caller"
    history = await api.client.get(f"/v1/audit/subjects/{child_id}/accesses", headers=api.token("dpo.vantaa"))
    read = [e for e in history.json()["entries"] if e["actor_id"] == "user-coordinator.vantaa"
            and e["endpoint"].startswith("GET ") and e["endpoint"].endswith("/children/{child_id}/consents")]
    assert [e["request_id"] for e in read] == [server_id]


async def test_the_audit_endpoints_answer_404_for_another_municipalitys_subject(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()
    read = await api.client.get(f"/v1/children/{child_id}/consents", headers=api.token("coordinator.vantaa"))
    assert read.status_code == 200
    log = api.enrollment.audit_log
    before = await log.head("access")

    # A Hämeenlinna DPO's token: the Vantaa child's log is another municipality's record.
    foreign = {**api.token("dpo.vantaa", tenants=["109"])}
    answers = [
        await api.client.get(f"/v1/audit/subjects/{child_id}/accesses", headers=foreign),
        await api.client.get(f"/v1/audit/subjects/{child_id}/disclosures", headers=foreign),
    ]

    assert [a.status_code for a in answers] == [404, 404]
    assert all(a.json()["type"] == "urn:rinnalla:problem:not_found" for a in answers)
    assert await log.head("access") == before  # a refused request is not logged as an access
    own = await api.client.get(f"/v1/audit/subjects/{child_id}/accesses", headers=api.token("dpo.vantaa"))
    assert own.status_code == 200
