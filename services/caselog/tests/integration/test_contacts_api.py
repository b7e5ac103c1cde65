"""Contacts over HTTP, with who may write decided from enrollment's events (real PostgreSQL and NATS)."""

from __future__ import annotations

import uuid

import pytest
from caselog_api import TEAM_A, TEAM_B_MENTOR, Api, contact

pytestmark = pytest.mark.integration


def _id() -> str:
    return f"contact-{uuid.uuid4()}"


def _problem_field(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [error["field"] for error in body.get("errors", [])]


async def test_the_team_s_mentor_logs_a_contact_and_sees_it_on_the_child_s_timeline(api: Api) -> None:
    contact_id = _id()
    response = await api.post(f"/contacts/{contact_id}", contact())
    assert response.status_code == 200, response.text
    assert response.json() == {"kind": "contact", "id": contact_id, "events": ["caselog.ContactRecorded"],
                               "replayed": False}
    await api.project()
    timeline = await api.get("/children/child-092-0001/contacts")
    assert timeline.status_code == 200, timeline.text
    [row] = timeline.json()["contacts"]
    assert (row["contact_id"], row["team_id"], row["note"], row["recorded_by"]) == (
        contact_id, TEAM_A, "note about child-092-0001", "user-mentor.vantaa"
    )
    coordinator = await api.get("/children/child-092-0001/contacts", user="coordinator.vantaa")
    assert [c["contact_id"] for c in coordinator.json()["contacts"]] == [contact_id]


async def test_a_group_contact_shows_each_child_only_their_own_note(api: Api) -> None:
    body = contact(("child-092-0001", "child-092-0002"), setting="afternoon_club")
    response = await api.post(f"/contacts/{_id()}", body)
    assert response.status_code == 200, response.text
    await api.project()
    first = (await api.get("/children/child-092-0001/contacts")).json()["contacts"]
    second = (await api.get("/children/child-092-0002/contacts")).json()["contacts"]
    assert [c["note"] for c in first] == ["note about child-092-0001"]
    assert [c["note"] for c in second] == ["note about child-092-0002"]


async def test_another_team_s_mentor_or_municipality_gets_404(api: Api) -> None:
    other_team = await api.post(f"/contacts/{_id()}", contact(), claims=TEAM_B_MENTOR)
    other_town = await api.post(f"/contacts/{_id()}", contact(), user="mentor.hameenlinna")
    assert (other_team.status_code, other_town.status_code) == (404, 404)
    assert _problem_field(other_team) == ["body.children[0].child_id"]
    read = await api.get("/children/child-092-0001/contacts", claims=TEAM_B_MENTOR)
    assert read.status_code == 404
    # team B's own mentor writes for team B's child
    own = await api.post(f"/contacts/{_id()}", contact(("child-092-0011",)), claims=TEAM_B_MENTOR)
    assert own.status_code == 200, own.text


async def test_a_date_in_the_future_is_refused_naming_the_field(api: Api) -> None:
    response = await api.post(f"/contacts/{_id()}", contact(on="2026-12-02"))
    assert response.status_code == 422
    assert _problem_field(response) == ["body.on"]
    assert "in the future" in response.json()["detail"]


async def test_bad_values_are_refused_with_the_field(api: Api) -> None:
    minutes = await api.post(f"/contacts/{_id()}", contact(minutes=0))
    setting = await api.post(f"/contacts/{_id()}", contact(setting="pub"))
    assert (minutes.status_code, setting.status_code) == (422, 422)
    assert _problem_field(minutes) == ["body.minutes"]
    assert "setting" in setting.text


async def test_the_outgoing_mentor_s_contact_after_the_handover_is_refused(api: Api) -> None:
    await api.enrollment_command(f"/teams/{TEAM_A}/mentor-handovers", {
        "outgoing_mentor_id": "user-mentor.vantaa", "incoming_mentor_id": "mentor-092-0003",
        "handed_over_on": "2026-11-01"})
    await api.project()
    late = await api.post(f"/contacts/{_id()}", contact(on="2026-11-02"))
    assert late.status_code == 422, late.text
    assert _problem_field(late) == ["body.on"]
    assert "handed team team-092-2019-a over to mentor-092-0003 on 2026-11-01" in late.json()["detail"]
    before = await api.post(f"/contacts/{_id()}", contact(on="2026-10-30"))
    assert before.status_code == 200, before.text
    incoming = {"sub": "mentor-092-0003"}
    theirs = await api.post(f"/contacts/{_id()}", contact(on="2026-11-02"), claims=incoming)
    assert theirs.status_code == 200, theirs.text
    await api.project()
    # the incoming mentor sees the predecessor's entries; the outgoing one no longer reads the child
    timeline = await api.get("/children/child-092-0001/contacts", claims=incoming)
    assert [c["recorded_by"] for c in timeline.json()["contacts"]] == ["mentor-092-0003", "user-mentor.vantaa"]
    assert (await api.get("/children/child-092-0001/contacts")).status_code == 404


async def test_no_new_entries_after_the_child_s_exit(api: Api) -> None:
    await api.enrollment_command("/children/child-092-0002/exit", {"exited_on": "2026-11-15", "reason": "moved_away"})
    await api.project()
    after = await api.post(f"/contacts/{_id()}", contact(("child-092-0002",), on="2026-11-20"))
    assert after.status_code == 422
    assert "left the programme on 2026-11-15" in after.json()["detail"]
    before = await api.post(f"/contacts/{_id()}", contact(("child-092-0002",), on="2026-11-14"))
    assert before.status_code == 200, before.text


async def test_a_correction_supersedes_and_a_retry_changes_nothing(api: Api) -> None:
    contact_id = _id()
    first = await api.post(f"/contacts/{contact_id}", contact(), key="retry-key-1")
    again = await api.post(f"/contacts/{contact_id}", contact(), key="retry-key-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["replayed"] is True and again.headers["Idempotent-Replayed"] == "true"
    twice = await api.post(f"/contacts/{contact_id}", contact())
    assert twice.status_code == 409
    fixed = await api.post(f"/contacts/{contact_id}/correction", {**contact(minutes=90), "reason": "it took longer"})
    assert fixed.json()["events"] == ["caselog.ContactCorrected"]
    await api.project()
    [row] = (await api.get("/children/child-092-0001/contacts")).json()["contacts"]
    assert (row["minutes"], row["corrected"]) == (90, True)
    successor = await api.post(f"/contacts/{contact_id}/correction", {**contact(), "reason": "x"}, claims=TEAM_B_MENTOR)
    assert successor.status_code == 404


async def test_writes_need_a_token_a_purpose_and_a_writer_s_role(api: Api) -> None:
    no_token = await api.caselog_http.post(f"/v1/contacts/{_id()}", json=contact())
    headers = api.headers("mentor.vantaa", purpose=None)
    without_purpose = await api.caselog_http.post(f"/v1/contacts/{_id()}", json=contact(), headers=headers)
    official = await api.post(f"/contacts/{_id()}", contact(), user="official.vantaa")
    assert (no_token.status_code, without_purpose.status_code, official.status_code) == (401, 422, 403)


async def test_erasing_the_child_purges_every_row_derived_from_them(api: Api) -> None:
    await api.post(f"/contacts/{_id()}", contact(("child-092-0003", "child-092-0004")))
    await api.enrollment_command("/children/child-092-0003/exit", {"exited_on": "2026-11-20", "reason": "moved_away"})
    await api.project()
    await api.enrollment_erasure("child-092-0003")
    await api.project()
    async with api.caselog.runtime.connections.acquire() as conn:
        rows = await conn.fetchval(
            "SELECT (SELECT count(*) FROM caselog_read.contact_children WHERE child_id = $1)"
            " + (SELECT count(*) FROM caselog_read.children WHERE child_id = $1)"
            " + (SELECT count(*) FROM caselog_read.memberships WHERE child_id = $1)",
            "child-092-0003",
        )
    assert rows == 0
    others = (await api.get("/children/child-092-0004/contacts")).json()["contacts"]
    assert [c["note"] for c in others] == ["note about child-092-0004"]
    gone = await api.post(f"/contacts/{_id()}", contact(("child-092-0003",), on="2026-11-01"))
    assert gone.status_code == 404


async def test_migrating_again_changes_nothing_and_the_probes_answer(api: Api) -> None:
    from rinnalla_caselog.main import migrate

    await migrate(api.caselog.runtime.settings)
    assert (await api.caselog_http.get("/healthz")).status_code == 200
    ready = await api.caselog_http.get("/readyz")
    assert ready.status_code == 200 and set(ready.json()["checks"]) == {"postgres", "nats"}
    assert (await api.caselog_http.get("/v1/children/child-092-0001/contacts")).status_code == 401
