"""Erasing a child or a guardian over HTTP: who may, what it refuses, what callers see afterwards."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from enrollment_scenario import FORM, TEAM, enrolled_child, partnership_with_teams, selected_child

pytestmark = pytest.mark.integration

REASON = {"reason": "Guardian's erasure request of 2026-03-02, case DPO-2026-014"}
OUTSIDER = {"tenants": ["109"]}


async def erase(api: Any, path: str, *, user: str = "dpo.vantaa", body: dict[str, Any] | None = None,
                claims: dict[str, Any] | None = None, key: str | None = None) -> Any:
    # No X-Purpose: an erasure's purpose is always data_subject_erasure, the route's default.
    headers = {**api.token(user, purpose=None, **(claims or {})), "Idempotency-Key": key or str(uuid.uuid4())}
    return await api.client.post(f"/v1{path}", json=REASON if body is None else body, headers=headers)


async def not_selected_child(api: Any, n: int) -> str:
    child_id = await selected_child(api, n, consent=False)
    return child_id


async def exited_child(api: Any, n: int) -> str:
    child_id = await enrolled_child(api, n)
    await api.ok(f"/children/{child_id}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    return child_id


async def test_the_dpo_and_an_admin_may_erase_but_a_coordinator_or_mentor_may_not(api):
    await partnership_with_teams(api)
    first, second = await exited_child(api, 1), await exited_child(api, 2)

    coordinator = await erase(api, f"/children/{first}/erasure", user="coordinator.vantaa")
    mentor = await erase(api, f"/children/{first}/erasure", user="mentor.vantaa")
    dpo = await erase(api, f"/children/{first}/erasure", user="dpo.vantaa")
    admin = await erase(api, f"/children/{second}/erasure", user="admin.vantaa")

    assert (coordinator.status_code, mentor.status_code) == (403, 403)
    assert (dpo.status_code, admin.status_code) == (200, 200), (dpo.text, admin.text)
    assert dpo.json()["subject_kind"] == "child" and dpo.json()["already_erased"] is False


async def test_another_municipalitys_dpo_gets_404_and_nothing_is_erased(api):
    await partnership_with_teams(api)
    child_id = await exited_child(api, 1)

    outsider = await erase(api, f"/children/{child_id}/erasure", claims=OUTSIDER)
    unknown = await erase(api, "/children/child-9999/erasure")

    assert (outsider.status_code, unknown.status_code) == (404, 404)
    assert not await api.enrollment.codec.keys.is_erased(child_id)


async def test_an_erasure_needs_a_reason_and_an_idempotency_key(api):
    await partnership_with_teams(api)
    child_id = await exited_child(api, 1)

    no_reason = await erase(api, f"/children/{child_id}/erasure", body={})
    no_key = await api.client.post(
        f"/v1/children/{child_id}/erasure", json=REASON, headers=api.token("dpo.vantaa", purpose=None)
    )

    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["body.reason"]
    assert no_key.status_code == 422
    assert not await api.enrollment.codec.keys.is_erased(child_id)


async def test_an_enrolled_child_must_exit_before_being_erased(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)

    refused = await erase(api, f"/children/{child_id}/erasure")
    await api.ok(f"/children/{child_id}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    allowed = await erase(api, f"/children/{child_id}/erasure")

    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:rinnalla:problem:still_enrolled"
    assert "record the exit" in refused.json()["detail"]
    assert allowed.status_code == 200


async def test_repeating_an_erasure_answers_the_first_one_and_writes_nothing_more(api):
    await partnership_with_teams(api)
    child_id = await not_selected_child(api, 1)

    first = await erase(api, f"/children/{child_id}/erasure")
    again = await erase(api, f"/children/{child_id}/erasure", user="admin.vantaa")
    async with api.enrollment.connections.acquire() as conn:
        events = await conn.fetchval(
            "SELECT count(*) FROM enrollment.events WHERE stream_type = 'subject' AND stream_id = $1", child_id
        )

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["already_erased"] is True
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["erased_at"] == first.json()["erased_at"]
    assert events == 1


async def test_after_the_erasure_commands_answer_410_and_reads_404(api):
    await partnership_with_teams(api)
    child_id = await not_selected_child(api, 1)
    await api.project()
    before = await api.get(f"/children/{child_id}/consents", user="coordinator.vantaa")

    assert (await erase(api, f"/children/{child_id}/erasure")).status_code == 200
    command = await api.command(f"/children/{child_id}/consents", {
        "consent_id": "consent-late", "subject_id": child_id, "purpose": "participation",
        "signed_by": "guardian-1", "evidence": FORM,
    })
    renomination = await api.command(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2026-08-05", "nominated_by": ["preschool"],
        "preschool": {"name": "Hakunilan esikoulu"},
        "preschool_reference": "esiopetus-uusi", "cohort_year": 2019,
    })
    outsider = await api.command(
        f"/children/{child_id}/consents",
        {"consent_id": "consent-x", "subject_id": child_id, "purpose": "participation", "signed_by": "guardian-1",
         "evidence": FORM},
        headers=api.token("coordinator.vantaa", **OUTSIDER),
    )
    read = await api.get(f"/children/{child_id}/consents", user="coordinator.vantaa")

    assert before.status_code == 200
    assert (command.status_code, renomination.status_code) == (410, 410)
    assert command.json()["type"] == "urn:rinnalla:problem:subject_erased"
    assert "erased" in command.json()["detail"]
    assert outsider.status_code == 404
    assert read.status_code == 404


async def test_erasing_a_guardian_destroys_only_their_key(api):
    await partnership_with_teams(api)
    child_id = await exited_child(api, 1)

    answer = await erase(api, "/guardians/guardian-1/erasure")
    outsider = await erase(api, "/guardians/guardian-1/erasure", claims=OUTSIDER)
    unknown = await erase(api, "/guardians/guardian-404/erasure")
    coordinator = await erase(api, "/guardians/guardian-1/erasure", user="coordinator.vantaa")

    keys = api.enrollment.codec.keys
    assert answer.status_code == 200, answer.text
    assert answer.json()["subject_kind"] == "guardian"
    assert await keys.is_erased("guardian-1")
    assert not await keys.is_erased(child_id)
    assert (outsider.status_code, unknown.status_code, coordinator.status_code) == (404, 404, 403)


async def test_every_erasure_is_in_the_access_log(api):
    await partnership_with_teams(api)
    child_id = await not_selected_child(api, 1)

    await erase(api, f"/children/{child_id}/erasure")
    log = await api.client.get(f"/v1/audit/subjects/{child_id}/accesses", headers=api.token("dpo.vantaa"))

    assert log.status_code == 200
    erasures = [e for e in log.json()["entries"] if e["action"] == "child.erase"]
    assert len(erasures) == 1
    assert erasures[0]["actor_id"] == "user-dpo.vantaa"
    assert erasures[0]["access_kind"] == "write"
