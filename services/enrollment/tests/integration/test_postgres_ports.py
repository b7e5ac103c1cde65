"""The PostgreSQL adapters of the application's ports, against the event store the HTTP API writes."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_scenario import TEAM, enrolled_child, enrolment, guardian, partnership_with_teams, selected_child
from rinnalla_enrollment.application.retention_policy import STATUS_EVENTS
from rinnalla_enrollment.config import EVENT_SCHEMA
from rinnalla_enrollment.persistence.identity_claims import PostgresIdentityClaims
from rinnalla_enrollment.persistence.retention_facts import PostgresRetentionFacts
from rinnalla_enrollment.persistence.subject_directory import PostgresSubjectDirectory

pytestmark = pytest.mark.integration


async def declined_child(api: Any, n: int) -> str:
    child_id = await selected_child(api, n, consent=False)
    await api.ok(f"/children/{child_id}/non-selection", {"decided_on": "2025-08-30", "reason": "guardians declined"})
    return child_id


async def erase(api: Any, subject_id: str, kind: str = "child") -> None:
    await api.enrollment.eraser.erase(subject_id, kind, reason="test erasure", actor="dpo", tenant="092")


async def test_the_subject_directory_finds_tenants_and_erasures(api):
    await partnership_with_teams(api)
    child_id = await declined_child(api, 1)
    directory = PostgresSubjectDirectory(api.enrollment.connections, EVENT_SCHEMA)

    assert await directory.child_tenant(child_id) == "092"
    assert await directory.child_tenant("child-nobody") is None
    assert await directory.guardian_tenants("guardian-1") == frozenset({"092"})
    assert await directory.guardian_tenants("guardian-nobody") == frozenset()
    assert await directory.erased(child_id) is None

    await erase(api, child_id)

    erased = await directory.erased(child_id)
    assert erased is not None
    assert (erased.subject_id, erased.subject_kind, erased.tenant) == (child_id, "child", "092")
    assert erased.erased_at.tzinfo is not None


async def test_identity_claims_are_found_by_the_plain_child_id(api):
    await partnership_with_teams(api)
    enrolled = await enrolled_child(api, 1)
    selected = await selected_child(api, 2)
    claims = PostgresIdentityClaims(api.enrollment.connections, EVENT_SCHEMA)

    streams = await claims.claimed_by(enrolled)

    assert len(streams) == 1 and len(streams[0]) == 36  # a random id: neither the identity code nor its hash
    assert await claims.claimed_by(selected) == []
    lookup = api.enrollment.identity_keys.key_of(enrolment(1)["child"]["hetu"])
    assert await claims.stream_of(lookup) == streams[0]
    assert await claims.forget(streams) == 1
    assert await claims.stream_of(lookup) != streams[0]  # forgotten: the same person now gets a new stream


async def test_retention_facts_give_each_child_s_latest_status_and_guardians_until_erased(api):
    await partnership_with_teams(api)
    declined = await declined_child(api, 1)
    enrolled = await enrolled_child(api, 2)
    await api.ok(f"/children/{enrolled}/guardians", {"guardians": [guardian(2), guardian(3)]})
    facts = PostgresRetentionFacts(api.enrollment.connections, EVENT_SCHEMA)

    children = {c.child_id: c for c in await facts.children(STATUS_EVENTS)}

    assert set(children) == {declined, enrolled}
    assert children[declined].status_event == "enrollment.ChildNotSelected"
    assert children[declined].status_payload["decided_on"] == "2025-08-30"
    assert children[declined].tenant == "092"
    assert children[declined].guardian_ids == frozenset({"guardian-1"})
    assert children[enrolled].status_event == "enrollment.ChildEnrolled"
    assert children[enrolled].guardian_ids == frozenset({"guardian-2", "guardian-3"})
    assert (children[enrolled].team_ids, children[enrolled].last_team_id) == (frozenset({TEAM}), TEAM)
    assert (children[declined].team_ids, children[declined].last_team_id) == (frozenset(), None)
    assert await facts.erased_subjects() == frozenset()

    await erase(api, declined)
    await erase(api, "guardian-1", "guardian")

    assert [c.child_id for c in await facts.children(STATUS_EVENTS)] == [enrolled]
    assert await facts.erased_subjects() == frozenset({declined, "guardian-1"})
