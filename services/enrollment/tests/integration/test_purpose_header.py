"""`X-Purpose` is written into a child's access log, so only a processing purpose the service defines and the
caller's role may claim gets that far: anything else is refused with 422 naming the header, and the access
log in PostgreSQL gets nothing."""

from __future__ import annotations

import uuid

import pytest
from enrollment_scenario import enrolled_child, partnership_with_teams

pytestmark = pytest.mark.integration


async def _consents_read(api, child_id: str, user: str, purpose: str):
    return await api.client.get(f"/v1/children/{child_id}/consents", headers=api.token(user, purpose=purpose))


async def test_an_unknown_purpose_is_422_and_nothing_is_logged(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()
    log = api.enrollment.audit_log
    before = await log.head("access")

    response = await _consents_read(api, child_id, "coordinator.vantaa", "foo")

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:rinnalla:problem:purpose_not_recognised"
    assert "X-Purpose" in problem["detail"] and "'foo' is not a processing purpose" in problem["detail"]
    assert [error["field"] for error in problem["errors"]] == ["header.X-Purpose"]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert await log.head("access") == before


async def test_a_purpose_the_role_may_not_claim_is_422_and_nothing_is_logged(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()
    log = api.enrollment.audit_log
    before = await log.head("access")

    # A coordinator is not the child's guardian: "own_child" is a guardian's purpose.
    response = await _consents_read(api, child_id, "coordinator.vantaa", "own_child")

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:rinnalla:problem:purpose_not_permitted"
    assert "X-Purpose" in problem["detail"] and "may not claim" in problem["detail"]
    assert await log.head("access") == before


async def test_a_write_with_an_unknown_purpose_changes_nothing(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    log = api.enrollment.audit_log
    before = await log.head("access")

    response = await api.client.post(
        f"/v1/children/{child_id}/exit",
        json={"exited_on": "2026-01-01", "reason": "moved_away"},
        headers={**api.token("coordinator.vantaa", purpose="curiosity"), "Idempotency-Key": str(uuid.uuid4())},
    )

    assert response.status_code == 422
    assert await log.head("access") == before
    retried = await api.command(f"/children/{child_id}/exit", {"exited_on": "2026-01-01", "reason": "moved_away"})
    assert retried.status_code == 200, retried.text  # the refused request had not exited the child


async def test_a_claimable_purpose_is_what_the_log_records(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 1)
    await api.project()

    response = await _consents_read(api, child_id, "coordinator.vantaa", "safeguarding")

    assert response.status_code == 200
    log = await api.client.get(
        f"/v1/audit/subjects/{child_id}/accesses", headers=api.token("dpo.vantaa", purpose=None)
    )
    reads = [e for e in log.json()["entries"] if e["action"] == "consent.read"]
    assert [e["purpose"] for e in reads] == ["safeguarding"]
