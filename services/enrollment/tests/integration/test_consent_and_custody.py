"""Consent and custody through HTTP, with PostgreSQL and NATS: joint custody and its exceptions, consent bound
to its giver with its evidence, the minor's prohibition and hearing, the 18th birthday and expiry on the day,
and answers that reflect every accepted command at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from enrollment_scenario import (
    ELECTRONIC,
    FORM,
    IN_PERSON,
    as_guardian,
    enrolled_child,
    enrolment,
    guardian,
    partnership_with_teams,
    selected_child,
)


async def two_guardians(api: Any, child_id: str, n: int) -> None:
    await api.ok(f"/children/{child_id}/guardians", {"guardians": [guardian(n), guardian(n + 50)]})


def own(consent_id: str, child_id: str, purpose: str) -> dict[str, Any]:
    return {"consent_id": consent_id, "subject_id": child_id, "purpose": purpose, "evidence": ELECTRONIC}


async def consents(api: Any, child_id: str, user: str = "coordinator.vantaa", **params: str) -> dict[str, Any]:
    response = await api.get(f"/children/{child_id}/consents", user=user, params=params or None)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def in_force(answer: dict[str, Any], purpose: str) -> bool:
    return bool(next(row for row in answer["purposes"] if row["purpose"] == purpose)["in_force"])


async def test_joint_custody_needs_both_guardians_for_participation(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1, consent=False)
    await two_guardians(api, child_id, 1)
    await api.ok(f"/children/{child_id}/consents", own("p-1", child_id, "participation"), headers=as_guardian(api, 1))

    one = await api.command(
        f"/children/{child_id}/enrolment", {**enrolment(1), "guardians": [guardian(1), guardian(51)]}
    )
    answer_one = await consents(api, child_id)
    await api.ok(f"/children/{child_id}/consents", own("p-51", child_id, "participation"), headers=as_guardian(api, 51))
    both = await api.command(
        f"/children/{child_id}/enrolment", {**enrolment(1), "guardians": [guardian(1), guardian(51)]}
    )

    assert one.status_code == 422
    assert "guardian-51 has not consented" in one.json()["detail"]
    assert in_force(answer_one, "participation") is False
    assert both.status_code == 200, both.text


async def test_a_recorded_custody_exception_lets_one_guardian_decide(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 2, consent=False)
    await two_guardians(api, child_id, 2)
    await api.ok(f"/children/{child_id}/consents", own("p-2", child_id, "participation"), headers=as_guardian(api, 2))
    missing_basis = await api.command(
        f"/children/{child_id}/custody-exceptions",
        {
            "exception_id": "x-1",
            "guardian_id": "guardian-2",
            "kind": "sole_custody",
            "basis": " ",
        },
    )
    unable_without_end = await api.command(
        f"/children/{child_id}/custody-exceptions",
        {
            "exception_id": "x-1",
            "guardian_id": "guardian-2",
            "kind": "other_guardian_unable",
            "basis": "in hospital",
        },
    )
    by_mentor = await api.command(
        f"/children/{child_id}/custody-exceptions",
        {
            "exception_id": "x-1",
            "guardian_id": "guardian-2",
            "kind": "sole_custody",
            "basis": "court decision",
        },
        user="mentor.vantaa",
    )
    before = await consents(api, child_id)
    await api.ok(
        f"/children/{child_id}/custody-exceptions",
        {
            "exception_id": "x-1",
            "guardian_id": "guardian-2",
            "kind": "court_ordered_division",
            "purposes": ["participation"],
            "basis": "Vantaa district court 12.3.2024: the mother decides on hobbies",
        },
    )
    after = await consents(api, child_id)

    assert (missing_basis.status_code, missing_basis.json()["errors"][0]["field"]) == (422, "body.basis")
    assert unable_without_end.status_code == 422
    assert by_mentor.status_code == 403
    assert in_force(before, "participation") is False
    assert in_force(after, "participation") is True
    assert after["custody_exceptions"][0]["kind"] == "court_ordered_division"
    assert after["custody_exceptions"][0]["in_force"] is True
    assert in_force(after, "sharing_with_school") is False


async def test_a_guardian_records_only_their_own_consent(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 3, consent=False)
    await two_guardians(api, child_id, 3)
    # The body cannot name the giver: given_by is not a field of the request.
    named = await api.command(
        f"/children/{child_id}/consents",
        {**own("c-1", child_id, "participation"), "given_by": "guardian-53"},
        headers=as_guardian(api, 3),
    )
    # A guardian cannot record a document "signed" by the other guardian.
    other = await api.command(
        f"/children/{child_id}/consents",
        {**own("c-1", child_id, "participation"), "signed_by": "guardian-53"},
        headers=as_guardian(api, 3),
    )
    as_child = await api.command(
        f"/children/{child_id}/consents",
        {**own("c-1", child_id, "participation"), "signed_by": "guardian-3"},
        headers=api.token("child.vantaa", sub=child_id),
    )
    staff_without_form = await api.command(f"/children/{child_id}/consents", own("c-1", child_id, "participation"))
    staff_electronic = await api.command(
        f"/children/{child_id}/consents", {**own("c-1", child_id, "participation"), "signed_by": "guardian-3"}
    )
    staff_no_reference = await api.command(
        f"/children/{child_id}/consents",
        {
            **own("c-1", child_id, "participation"),
            "signed_by": "guardian-3",
            "evidence": {"method": "signed_form", "information_version": "participation-information-2025-06"},
        },
    )
    own_on_paper = await api.command(
        f"/children/{child_id}/consents",
        {**own("c-1", child_id, "participation"), "evidence": FORM},
        headers=as_guardian(api, 3),
    )
    await api.ok(f"/children/{child_id}/consents", own("c-3", child_id, "participation"), headers=as_guardian(api, 3))
    await api.ok(
        f"/children/{child_id}/consents",
        {**own("c-53", child_id, "participation"), "signed_by": "guardian-53", "evidence": FORM},
        user="mentor.vantaa",
    )
    answer = await consents(api, child_id)

    assert named.status_code == 422
    assert named.json()["errors"][0]["field"] == "body.given_by"
    assert (other.status_code, other.json()["errors"][0]["field"]) == (422, "body.signed_by")
    assert (as_child.status_code, as_child.json()["errors"][0]["field"]) == (422, "body.signed_by")
    assert (staff_without_form.status_code, staff_without_form.json()["errors"][0]["field"]) == (422, "body.signed_by")
    assert staff_electronic.status_code == 422
    assert staff_electronic.json()["errors"][0]["field"] == "body.evidence.method"
    assert staff_no_reference.json()["errors"][0]["field"] == "body.evidence.document_reference"
    assert (own_on_paper.status_code, own_on_paper.json()["errors"][0]["field"]) == (422, "body.evidence.method")
    entries = {c["consent_id"]: c for c in answer["consents"]}
    assert entries["c-3"]["given_by"] == entries["c-3"]["recorded_by"] == "guardian-3"
    assert entries["c-3"]["evidence"]["method"] == "electronic"
    assert entries["c-53"]["given_by"] == "guardian-53"
    assert entries["c-53"]["recorded_by"] == "user-mentor.vantaa"
    assert entries["c-53"]["evidence"] == {**FORM}
    assert in_force(answer, "participation") is True
    assert sorted(next(r for r in answer["purposes"] if r["purpose"] == "participation")["consent_ids"]) == [
        "c-3",
        "c-53",
    ]


async def test_a_prohibition_needs_an_assessment_and_can_refuse_a_guardian(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 4)
    await api.ok(
        f"/children/{child_id}/consents", own("school-4", child_id, "sharing_with_school"), headers=as_guardian(api, 4)
    )
    params = {"recipient": "school", "purpose": "sharing_with_school"}
    unassessed = await api.command(
        f"/children/{child_id}/prohibitions", {"purpose": None, "guardian_ids": ["guardian-4"], "evidence": IN_PERSON}
    )
    participation = await api.command(
        f"/children/{child_id}/prohibitions", {"purpose": "participation", "evidence": IN_PERSON}
    )
    allowed = await consents(api, child_id, **params)
    await api.ok(f"/children/{child_id}/understanding-assessments", {"purpose": None, "understands": True})
    await api.ok(
        f"/children/{child_id}/prohibitions", {"purpose": None, "guardian_ids": ["guardian-4"], "evidence": IN_PERSON}
    )
    # Asked at once, without waiting for the read model: the prohibition is in the answer.
    prohibited = await consents(api, child_id, **params)
    guardian_reads = await api.client.get(f"/v1/children/{child_id}/consents", headers=as_guardian(api, 4))

    assert (unassessed.status_code, unassessed.json()["errors"][0]["field"]) == (422, "body.purpose")
    assert participation.status_code == 422
    assert allowed["disclosure"]["allowed"] is True
    assert prohibited["disclosure"]["allowed"] is False
    assert "prohibited" in prohibited["disclosure"]["reason"]
    assert in_force(prohibited, "sharing_with_school") is False
    assert in_force(prohibited, "participation") is True  # a prohibition is about disclosure, not participation
    assert prohibited["prohibitions"][0]["refused_guardian_ids"] == ["guardian-4"]
    assert prohibited["prohibitions"][0]["in_effect"] is True
    assert guardian_reads.status_code == 404


async def test_the_childs_no_is_a_veto_and_the_childs_yes_does_not_decide(api):
    await partnership_with_teams(api)
    child_id = await selected_child(api, 5, consent=False)
    as_child = api.token("child.vantaa", sub=child_id)
    own_yes = await api.command(
        f"/children/{child_id}/consents", own("own-5", child_id, "participation"), headers=as_child
    )
    await api.ok(f"/children/{child_id}/consents", own("p-5", child_id, "participation"), headers=as_guardian(api, 5))
    await api.ok(
        f"/children/{child_id}/consent-refusals",
        {"subject_id": child_id, "purpose": "participation", "evidence": ELECTRONIC},
        headers=as_child,
    )
    vetoed = await api.command(f"/children/{child_id}/enrolment", enrolment(5))

    assert (own_yes.status_code, own_yes.json()["errors"][0]["field"]) == (422, "body.given_by")
    assert vetoed.status_code == 422
    assert "the child has refused" in vetoed.json()["detail"]


async def test_a_child_of_twelve_is_heard_before_enrolment(api):
    await partnership_with_teams(api)
    # Born 2013: in school year 6 (turning 12) in autumn 2025, the last year of late joining.
    born = datetime(2013, 3, 1, tzinfo=UTC).date()
    child_id = await selected_child(api, 6, date_of_birth=born)
    unheard = await api.command(f"/children/{child_id}/enrolment", enrolment(6, date_of_birth=born))
    future = await api.command(f"/children/{child_id}/hearings", {"heard_on": "2099-01-01", "child_view": "agrees"})
    await api.ok(
        f"/children/{child_id}/hearings", {"heard_on": "2025-08-15", "child_view": "agrees"}, user="mentor.vantaa"
    )
    heard = await api.command(f"/children/{child_id}/enrolment", enrolment(6, date_of_birth=born))
    answer = await consents(api, child_id)

    assert unheard.status_code == 422
    assert "heard" in unheard.json()["detail"]
    assert future.status_code == 422
    assert heard.status_code == 200, heard.text
    assert answer["hearings"] == [
        {"purpose": "participation", "heard_on": "2025-08-15", "child_view": "agrees", "heard_by": "user-mentor.vantaa"}
    ]


async def test_expiry_and_the_18th_birthday_change_the_answer_on_the_day(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 7)  # born 8 February 2019
    await api.ok(
        f"/children/{child_id}/consents",
        {
            **own("photos-7", child_id, "photos"),
            "valid_until": "2030-01-01T00:00:00+00:00",
        },
        headers=as_guardian(api, 7),
    )
    await api.project()

    api.enrollment.clock = lambda: datetime(2029, 12, 31, 23, 59, tzinfo=UTC)
    before = await consents(api, child_id, recipient="public", purpose="photos")
    api.enrollment.clock = lambda: datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    expired = await consents(api, child_id, recipient="public", purpose="photos")
    api.enrollment.clock = lambda: datetime(2037, 2, 7, 21, 59, tzinfo=UTC)  # 23:59 on 7 February in Finland
    minor = await consents(api, child_id)
    api.enrollment.clock = lambda: datetime(2037, 2, 7, 22, 0, tzinfo=UTC)  # the 18th birthday
    adult = await consents(api, child_id)
    late_guardian = await api.command(
        f"/children/{child_id}/consents", own("school-7", child_id, "sharing_with_school"), headers=as_guardian(api, 7)
    )

    assert (in_force(before, "photos"), before["disclosure"]["allowed"]) == (True, True)
    assert (in_force(expired, "photos"), expired["disclosure"]["allowed"]) == (False, False)
    photos = next(c for c in expired["consents"] if c["consent_id"] == "photos-7")
    assert photos["valid_now"] is False
    assert in_force(minor, "participation") is True
    assert adult["decided_by_the_young_person"] is True
    assert in_force(adult, "participation") is False
    assert "18th birthday" in next(r for r in adult["purposes"] if r["purpose"] == "participation")["reason"]
    assert late_guardian.status_code == 404  # the guardian's access ended on the birthday


async def test_a_withdrawal_is_in_the_next_answer_without_waiting_for_the_read_model(api):
    await partnership_with_teams(api)
    child_id = await enrolled_child(api, 8)
    await api.ok(
        f"/children/{child_id}/consents", own("school-8", child_id, "sharing_with_school"), headers=as_guardian(api, 8)
    )
    given = await consents(api, child_id, recipient="school", purpose="sharing_with_school")
    await api.ok(
        f"/children/{child_id}/consent-withdrawals",
        {"consent_id": "school-8", "evidence": ELECTRONIC},
        headers=as_guardian(api, 8),
    )
    withdrawn = await consents(api, child_id, recipient="school", purpose="sharing_with_school")

    assert given["disclosure"]["allowed"] is True
    assert withdrawn["disclosure"]["allowed"] is False
    assert in_force(withdrawn, "sharing_with_school") is False


async def test_the_roster_and_the_team_overview_stop_counting_a_consent_that_has_lapsed(api):
    api.enrollment.clock = lambda: datetime(2025, 8, 21, 9, 0, tzinfo=UTC)  # the whole history is in the past
    await partnership_with_teams(api)
    child_id = await selected_child(api, 9, consent=False)
    await api.ok(f"/children/{child_id}/consents", {
        **own("p-9", child_id, "participation"), "valid_until": "2025-09-01T00:00:00+00:00",
    }, headers=as_guardian(api, 9))
    await api.ok(f"/children/{child_id}/enrolment", enrolment(9))
    await api.project()

    async def roster_consents() -> list[str]:
        response = await api.get("/mentor/teams", user="mentor.vantaa")
        assert response.status_code == 200, response.text
        roster = [c for team in response.json() for c in team["roster"] if c["child_id"] == child_id]
        return list(roster[0]["consents_in_force"])

    api.enrollment.clock = lambda: datetime(2025, 8, 31, 20, 59, tzinfo=UTC)
    before = await roster_consents()
    api.enrollment.clock = lambda: datetime(2025, 9, 1, 0, 0, tzinfo=UTC)
    after = await roster_consents()
    overview = await api.get("/teams", user="coordinator.vantaa")
    team = next(t for t in overview.json() if t["size"] > 0)

    assert before == ["participation"]
    assert after == []
    # The dashboard view counts the stored status only until its expiry (the database's own clock is later).
    assert team["with_participation_consent"] == 0
