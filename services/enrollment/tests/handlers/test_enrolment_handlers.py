"""Enrollment's command handlers on the in-memory event store: load, check the caller, decide, append."""

from __future__ import annotations

import pytest
from enrollment_builders import (
    AT,
    BORN,
    FOUNDED,
    IN_PERSON,
    TEAM,
    consent,
    enrol,
    found,
    hetu_for,
    inform,
    nominate,
    select,
)
from enrollment_desk import Desk, StaffOf
from rinnalla_enrollment.application import handlers as h
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.errors import AlreadyExists, NotFound
from rinnalla_enrollment.domain.values import MentorRole
from rinnalla_events import ConcurrencyConflict, IdempotencyKeyReused


async def a_team_with_its_mentor(desk: Desk) -> None:
    await desk.send(h.found_team, found())
    await desk.send(h.change_mentors, c.AssignMentor(team_id=TEAM, mentor_id="mentor-1", starts_on=FOUNDED))


async def a_selected_child(desk: Desk, child_id: str = "child-1") -> None:
    await desk.send(h.nominate_child, nominate(child_id))
    await desk.send(h.on_child, inform(child_id))
    await desk.send(h.on_child, consent(child_id))
    await desk.send(h.decide_selection, select(child_id))


def resource_mentor(mentor_id: str) -> c.AssignMentor:
    return c.AssignMentor(team_id=TEAM, mentor_id=mentor_id, role=MentorRole.RESOURCE, starts_on=FOUNDED)


def prohibition(child_id: str = "child-1") -> c.RecordMinorProhibition:
    return c.RecordMinorProhibition(child_id=child_id, recorded_by="sw", evidence=IN_PERSON, at=AT)


async def test_a_nominated_child_is_informed_consented_selected_and_enrolled_in_the_team(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    await a_selected_child(desk)

    outcome = await desk.send(h.enrol_child, enrol("child-1"), key="enrol-1")

    assert outcome.changed and not outcome.replayed
    assert outcome.result["kind"] == "child" and outcome.result["id"] == "child-1"
    assert set(outcome.result["events"]) == {
        "enrollment.ChildEnrolled",
        "enrollment.ChildJoinedTeam",
        "enrollment.IdentityClaimed",
    }
    recorded = await desk.recorded()
    assert recorded[0] == "enrollment.TeamFounded"
    assert set(recorded[1:3]) == {"enrollment.MentorAssigned", "enrollment.MentorLeadClaimed"}
    assert recorded[3:7] == [
        "enrollment.ChildNominated",
        "enrollment.GuardiansInformed",
        "enrollment.ConsentGiven",
        "enrollment.ChildSelected",
    ]
    assert sorted(recorded[7:]) == sorted(outcome.result["events"])


async def test_the_same_person_cannot_be_enrolled_as_a_second_child(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    await a_selected_child(desk, "child-1")
    await a_selected_child(desk, "child-2")
    await desk.send(h.enrol_child, enrol("child-1"))
    recorded = await desk.recorded()

    with pytest.raises(AlreadyExists) as refused:
        await desk.send(h.enrol_child, enrol("child-2"))

    assert refused.value.field == "child.hetu"
    assert await desk.recorded() == recorded


async def test_of_two_coordinators_who_decided_on_the_same_team_at_once_exactly_one_wins(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    recorded = await desk.recorded()

    answers = await desk.race(h.change_mentors, resource_mentor("mentor-a"), resource_mentor("mentor-b"))

    assert len([a for a in answers if isinstance(a, ConcurrencyConflict)]) == 1, answers
    assert len([a for a in answers if not isinstance(a, BaseException) and a.changed]) == 1, answers
    assert await desk.recorded() == [*recorded, "enrollment.MentorAssigned"]


async def test_two_enrolments_of_one_person_at_once_enrol_only_one_child(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    await a_selected_child(desk, "child-1")
    await a_selected_child(desk, "child-2")
    recorded = await desk.recorded()

    answers = await desk.race(h.enrol_child, enrol("child-1"), enrol("child-2"))

    conflicts = [a for a in answers if isinstance(a, ConcurrencyConflict)]
    assert len(conflicts) == 1, answers
    identity_key = desk.identity_keys.key_of(hetu_for(BORN))
    assert identity_key not in str(conflicts[0])  # the pseudonym stays out of messages (and logs)
    assert (await desk.recorded()).count("enrollment.ChildEnrolled") == recorded.count("enrollment.ChildEnrolled") + 1


async def test_a_retried_enrolment_answers_as_the_first_time_and_records_nothing_more(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    await a_selected_child(desk)
    first = await desk.send(h.enrol_child, enrol("child-1"), key="enrol-1")
    recorded = await desk.recorded()

    again = await desk.send(h.enrol_child, enrol("child-1"), key="enrol-1")

    assert again.replayed
    assert again.result == first.result
    assert await desk.recorded() == recorded


async def test_the_same_key_for_another_change_is_refused_and_records_nothing(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    await desk.send(h.change_mentors, resource_mentor("mentor-x"), key="assign-1")
    recorded = await desk.recorded()

    with pytest.raises(IdempotencyKeyReused):
        await desk.send(h.change_mentors, resource_mentor("mentor-y"), key="assign-1")

    assert await desk.recorded() == recorded


async def test_a_coordinator_of_another_municipality_cannot_touch_the_child_and_records_nothing(desk: Desk) -> None:
    await a_team_with_its_mentor(desk)
    await desk.send(h.nominate_child, nominate("child-1"))
    recorded = await desk.recorded()

    with pytest.raises(NotFound):
        await desk.send(h.on_child, inform("child-1"), guard=StaffOf("091"))
    with pytest.raises(NotFound):
        await desk.send(h.nominate_child, nominate("child-2"), guard=StaffOf("091"))

    assert await desk.recorded() == recorded


async def test_repeating_a_prohibition_already_in_force_changes_nothing_and_answers_without_events(
    desk: Desk,
) -> None:
    await a_team_with_its_mentor(desk)
    await desk.send(h.nominate_child, nominate("child-1"))
    await desk.send(
        h.on_child, c.AssessMinorUnderstanding(child_id="child-1", understands=True, assessed_by="sw", at=AT)
    )
    first = await desk.send(h.on_child, prohibition(), key="prohibit-1")
    recorded = await desk.recorded()

    again = await desk.send(h.on_child, prohibition(), key="prohibit-2")

    assert first.changed and first.result["events"] == ["enrollment.MinorProhibitionRecorded"]
    assert not again.changed and not again.replayed
    assert again.result == {"kind": "child", "id": "child-1", "events": []}
    assert await desk.recorded() == recorded
