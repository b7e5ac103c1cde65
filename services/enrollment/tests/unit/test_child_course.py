"""A child's way through the programme after enrolment: school changes, exits, completion and the follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from enrollment_builders import (
    AT,
    BORN,
    OWN_WORD,
    SCHOOL,
    active_team,
    consent,
    enrolled_child,
    events_for,
    exit_,
    fold_child,
    forming_team,
    join,
    run,
)
from rinnalla_consent import Purpose
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.errors import InvalidTransition, InvalidValue, RuleViolated
from rinnalla_enrollment.domain.team import TeamState
from rinnalla_enrollment.domain.values import ChildStatus, CompletionOutcome, ExitReason, School
from rinnalla_enrollment.domain.workflows import complete_child, withdraw_consent

LOWER_SECONDARY = School(name="Hakunilan yläkoulu", code="54321")


def change_school(
    on: date = date(2031, 8, 10), class_name: str = "7C", school: School = LOWER_SECONDARY
) -> c.ChangeSchool:
    return c.ChangeSchool(child_id="child-1", school=school, class_name=class_name, changed_on=on)


def complete(
    on: date, outcome: CompletionOutcome = CompletionOutcome.FURTHER_STUDIES_STARTED
) -> c.CompleteChildProgramme:
    return c.CompleteChildProgramme(child_id="child-1", completed_on=on, outcome=outcome)


def team_with_child() -> TeamState:
    from enrollment_builders import fold_team

    return fold_team(forming_team(), join("child-1"))


# --- school and class ---------------------------------------------------------------------------------


def test_a_child_changes_school_and_class_while_in_the_programme() -> None:
    (event,) = child.decide(enrolled_child(), change_school())
    assert event == e.ChildSchoolChanged(
        child_id="child-1", school=LOWER_SECONDARY, class_name="7C", changed_on=date(2031, 8, 10)
    )


def test_a_school_change_needs_a_school_and_a_class_and_cannot_predate_the_enrolment() -> None:
    bad = [
        (change_school(class_name=" "), "class_name"),
        (change_school(school=School(name="")), "school.name"),
        (change_school(on=date(2025, 8, 1)), "changed_on"),
    ]
    for command, field in bad:
        with pytest.raises(InvalidValue) as caught:
            child.decide(enrolled_child(), command)
        assert caught.value.field == field


def test_a_child_who_has_left_changes_no_school_here() -> None:
    with pytest.raises(InvalidTransition):
        child.decide(fold_child(enrolled_child(), exit_()), change_school(school=SCHOOL))


# --- exits --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [ExitReason.OUT_OF_HOME_PLACEMENT, ExitReason.DEATH])
def test_a_child_exits_for_an_out_of_home_placement_or_death(reason: ExitReason) -> None:
    state, (event,) = run(child.decide, child.evolve, enrolled_child(), exit_(reason=reason))
    assert isinstance(event, e.ChildExited) and event.reason is reason
    assert (state.status, state.exit_reason) == (ChildStatus.EXITED, reason)


def test_a_child_who_died_is_never_nominated_again() -> None:
    from enrollment_builders import nominate

    died = fold_child(enrolled_child(), exit_(reason=ExitReason.DEATH))
    with pytest.raises(RuleViolated, match="died"):
        child.decide(died, nominate(on=date(2026, 10, 1)))


def test_an_exit_ends_the_sharing_consents_but_not_the_others() -> None:
    state = fold_child(
        enrolled_child(),
        consent(consent_id="school", purpose=Purpose.SHARING_WITH_SCHOOL),
        consent(consent_id="social", purpose=Purpose.SHARING_WITH_SOCIAL_SERVICES),
        consent(consent_id="photos", purpose=Purpose.PHOTOS),
    )
    after, events = run(child.decide, child.evolve, state, exit_())
    ended = events[-1]
    assert isinstance(ended, e.SharingConsentsEnded)
    assert set(ended.consent_ids) == {"school", "social"}
    later = datetime(2026, 6, 1, tzinfo=UTC)
    school, photos = after.consents.consent("school"), after.consents.consent("photos")
    assert school is not None and not school.in_force(later)
    assert photos is not None and photos.in_force(later)


def test_an_exit_without_sharing_consents_records_only_the_exit() -> None:
    (event,) = child.decide(enrolled_child(), exit_())
    assert isinstance(event, e.ChildExited)


def test_withdrawing_the_participation_consent_of_an_enrolled_child_exits_the_child_from_the_team() -> None:
    withdraw = c.WithdrawConsent(
        child_id="child-1",
        consent_id="consent-1",
        withdrawn_by="g-1",
        recorded_by="g-1",
        evidence=OWN_WORD,
        at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    changes = withdraw_consent(enrolled_child(), team_with_child(), withdraw)
    child_events = events_for(changes, "child", "child-1")
    assert [type(event) for event in child_events] == [e.ConsentWithdrawn, e.ChildExited]
    exited = child_events[1]
    assert isinstance(exited, e.ChildExited)
    assert (exited.reason, exited.exited_on) == (ExitReason.PARTICIPATION_CONSENT_WITHDRAWN, date(2026, 3, 2))
    (left,) = events_for(changes, "team", "team-hakunila-2024")
    assert isinstance(left, e.ChildLeftTeam)


def test_withdrawing_another_consent_leaves_the_child_in_the_team() -> None:
    state = fold_child(enrolled_child(), consent(consent_id="photos", purpose=Purpose.PHOTOS))
    withdraw = c.WithdrawConsent(
        child_id="child-1", consent_id="photos", withdrawn_by="g-1", recorded_by="g-1", evidence=OWN_WORD, at=AT
    )
    changes = withdraw_consent(state, team_with_child(), withdraw)
    assert [type(event) for event in events_for(changes, "child", "child-1")] == [e.ConsentWithdrawn]
    assert events_for(changes, "team", "team-hakunila-2024") == ()


def test_withdrawing_the_participation_consent_before_enrolment_exits_nobody() -> None:
    from enrollment_builders import selected_child

    withdraw = c.WithdrawConsent(
        child_id="child-1", consent_id="consent-1", withdrawn_by="g-1", recorded_by="g-1", evidence=OWN_WORD, at=AT
    )
    changes = withdraw_consent(selected_child(), None, withdraw)
    assert [type(event) for event in events_for(changes, "child", "child-1")] == [e.ConsentWithdrawn]


# --- completion and the follow-up ---------------------------------------------------------------------


def test_completion_comes_at_the_earliest_in_the_last_year_of_basic_education() -> None:
    with pytest.raises(RuleViolated, match="born in 2018 is in school year 8") as caught:
        child.decide(enrolled_child(), complete(date(2033, 5, 31)))
    assert caught.value.field == "completed_on"
    assert child.decide(enrolled_child(), complete(date(2034, 5, 31)))


def test_completing_with_the_team_needs_the_teams_last_year() -> None:
    early = complete(date(2035, 5, 31), CompletionOutcome.TEAM_COMPLETED)
    with pytest.raises(RuleViolated, match="completes its 12 years in 2036") as caught:
        complete_child(enrolled_child(), team_with_child(), early)
    assert caught.value.field == "outcome"
    on_time = complete(date(2036, 5, 31), CompletionOutcome.TEAM_COMPLETED)
    assert complete_child(enrolled_child(), team_with_child(), on_time)


def test_after_completion_the_record_stays_under_the_research_follow_up_until_age_20() -> None:
    done = fold_child(enrolled_child(), complete(date(2036, 5, 31)))
    state, (event,) = run(
        child.decide, child.evolve, done, c.StartFollowUp(child_id="child-1", started_on=date(2036, 6, 1))
    )
    assert event == e.ChildFollowUpStarted(
        child_id="child-1", started_on=date(2036, 6, 1), follow_up_until=date(2038, 3, 15)
    )
    assert (state.status, state.follow_up_until) == (ChildStatus.FOLLOW_UP, date(2038, 3, 15))


def test_only_a_completed_child_is_followed_up_and_only_until_they_turn_20() -> None:
    with pytest.raises(InvalidTransition, match="follows completion"):
        child.decide(enrolled_child(), c.StartFollowUp(child_id="child-1", started_on=date(2036, 6, 1)))
    done = fold_child(enrolled_child(), complete(date(2036, 5, 31)))
    with pytest.raises(RuleViolated, match="until the child turns 20"):
        child.decide(done, c.StartFollowUp(child_id="child-1", started_on=date(2038, 3, 15)))
    with pytest.raises(InvalidValue) as caught:
        child.decide(done, c.StartFollowUp(child_id="child-1", started_on=date(2036, 5, 1)))
    assert caught.value.field == "started_on"


def test_the_builders_child_is_born_in_the_2018_cohort() -> None:
    assert BORN.year == 2018 and active_team().cohort_birth_years == (2018,)
