"""One mentor leads at most one team: the lead index decided alongside the team's own events."""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_builders import FOUNDED, OTHER_TEAM, TEAM, events_for, fold_team, found
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import mentor_lead, team, workflows
from rinnalla_enrollment.domain.errors import AlreadyExists
from rinnalla_enrollment.domain.mentor_lead import MentorLeadState
from rinnalla_enrollment.domain.team import TeamState
from rinnalla_enrollment.domain.values import MentorRole, TerminationReason
from rinnalla_events import StreamEvents

MENTOR = "mentor-aino"


def leads_of(team_id: str) -> MentorLeadState:
    return MentorLeadState(team_id=team_id)


def lead_events(changes: list[StreamEvents], mentor_id: str = MENTOR) -> list[str]:
    return [event.event_type for event in events_for(changes, mentor_lead.STREAM_TYPE, mentor_id)]


def led_by(mentor_id: str, team_id: str = TEAM) -> TeamState:
    return fold_team(
        team.initial(), found(team_id), c.AssignMentor(team_id=team_id, mentor_id=mentor_id, starts_on=FOUNDED)
    )


def test_making_a_mentor_the_lead_of_a_team_claims_the_mentor() -> None:
    state = fold_team(team.initial(), found())
    command = c.AssignMentor(team_id=TEAM, mentor_id=MENTOR, starts_on=FOUNDED)

    changes = workflows.change_mentors(state, {MENTOR: mentor_lead.initial()}, command)

    assert lead_events(changes) == ["enrollment.MentorLeadClaimed"]
    assert [e.event_type for e in events_for(changes, team.STREAM_TYPE, TEAM)] == ["enrollment.MentorAssigned"]


def test_a_mentor_who_leads_one_team_cannot_become_the_lead_of_another() -> None:
    state = fold_team(team.initial(), found(OTHER_TEAM))
    command = c.AssignMentor(team_id=OTHER_TEAM, mentor_id=MENTOR, starts_on=FOUNDED)

    with pytest.raises(AlreadyExists) as refused:
        workflows.change_mentors(state, {MENTOR: leads_of(TEAM)}, command)
    assert refused.value.field == "mentor_id"
    assert TEAM in refused.value.reason


def test_a_lead_may_still_be_the_pair_or_resource_mentor_of_another_team() -> None:
    state = fold_team(team.initial(), found(OTHER_TEAM))
    for role in (MentorRole.PAIR, MentorRole.RESOURCE):
        command = c.AssignMentor(team_id=OTHER_TEAM, mentor_id=MENTOR, role=role, starts_on=FOUNDED)
        assert workflows.lead_mentors_involved(state, command) == ()
        changes = workflows.change_mentors(state, {}, command)
        assert lead_events(changes) == []


def test_a_lead_who_leaves_the_team_is_free_to_lead_another() -> None:
    command = c.ReleaseMentor(team_id=TEAM, mentor_id=MENTOR, left_on=date(2025, 6, 30))
    changes = workflows.change_mentors(led_by(MENTOR), {MENTOR: leads_of(TEAM)}, command)

    assert lead_events(changes) == ["enrollment.MentorLeadReleased"]
    released = mentor_lead.evolve(leads_of(TEAM), events_for(changes, mentor_lead.STREAM_TYPE, MENTOR)[0])
    assert released.team_id is None


def test_a_handover_moves_the_lead_from_the_outgoing_mentor_to_the_incoming_one() -> None:
    command = c.HandOverMentor(
        team_id=TEAM, outgoing_mentor_id=MENTOR, incoming_mentor_id="mentor-b", handed_over_on=date(2026, 6, 30)
    )
    leads = {MENTOR: leads_of(TEAM), "mentor-b": mentor_lead.initial()}

    changes = workflows.change_mentors(led_by(MENTOR), leads, command)

    assert lead_events(changes, MENTOR) == ["enrollment.MentorLeadReleased"]
    assert lead_events(changes, "mentor-b") == ["enrollment.MentorLeadClaimed"]


def test_a_handover_to_a_mentor_who_leads_another_team_is_refused() -> None:
    command = c.HandOverMentor(
        team_id=TEAM, outgoing_mentor_id=MENTOR, incoming_mentor_id="mentor-b", handed_over_on=date(2026, 6, 30)
    )
    with pytest.raises(AlreadyExists) as refused:
        workflows.change_mentors(led_by(MENTOR), {MENTOR: leads_of(TEAM), "mentor-b": leads_of(OTHER_TEAM)}, command)
    assert refused.value.field == "mentor_id"


def test_a_terminated_team_releases_its_lead() -> None:
    command = c.TerminateTeam(team_id=TEAM, terminated_on=date(2026, 6, 30), reason=TerminationReason.OTHER)
    state = led_by(MENTOR)
    assert workflows.lead_mentors_involved(state, command) == (MENTOR,)

    changes = workflows.change_mentors(state, {MENTOR: leads_of(TEAM)}, command)

    assert lead_events(changes) == ["enrollment.MentorLeadReleased"]


def test_releasing_a_mentor_from_a_team_they_do_not_lead_in_the_index_changes_nothing_there() -> None:
    assert mentor_lead.decide(leads_of(OTHER_TEAM), mentor_lead.ReleaseLead(MENTOR, TEAM)) == []
    assert mentor_lead.decide(mentor_lead.initial(), mentor_lead.ReleaseLead(MENTOR, TEAM)) == []
