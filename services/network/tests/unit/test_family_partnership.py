"""Family partnerships (Perhekumppani): a support plan needs an initial assessment, a controlled closure
needs a plan, an early closure names its reason, and a relationship past 36 months is flagged."""

from __future__ import annotations

from datetime import date

import pytest
from network_builders import T0
from rinnalla_events import DomainEvent
from rinnalla_network.domain import family_partnership as fp
from rinnalla_network.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound

P = "family-109-0001"


def fold(state: fp.FamilyPartnershipState, events: list[DomainEvent]) -> fp.FamilyPartnershipState:
    for event in events:
        state = fp.evolve(state, event)
    return state


def step(state: fp.FamilyPartnershipState, command: fp.FamilyCommand) -> fp.FamilyPartnershipState:
    return fold(state, fp.decide(state, command))


def referred() -> fp.FamilyPartnershipState:
    return step(fp.initial(), fp.ReferFamily(
        partnership_id=P, organisation_id="org-sos-family-partner", worker_id="user-partner.hameenlinna",
        municipality_code="109", route=fp.ReferralRoute.CHILD_HEALTH_CLINIC, child_ids=("child-109-0001",),
        referred_on=date(2026, 3, 2), at=T0))


def assessed() -> fp.FamilyPartnershipState:
    return step(referred(), fp.CompleteInitialAssessment(partnership_id=P, assessed_on=date(2026, 3, 16), by="w",
                                                         at=T0))


def plan(on: date = date(2026, 3, 30)) -> fp.AgreeSupportPlan:
    return fp.AgreeSupportPlan(partnership_id=P, goals=(fp.GoalArea.DAILY_ROUTINES, fp.GoalArea.HOBBIES),
                               agreed_on=on, review_by=date(2026, 6, 30), by="w", at=T0)


def test_the_whole_course_to_a_controlled_closure() -> None:
    state = step(assessed(), plan())
    assert state.phase is fp.Phase.INTENSIVE
    state = step(state, fp.RecordFamilyMeeting(partnership_id=P, kind=fp.MeetingKind.HOME_VISIT,
                                               met_on=date(2026, 4, 7), minutes=90, by="w", at=T0))
    state = step(state, fp.ReviewSupportPlan(partnership_id=P, goals_met=(fp.GoalArea.HOBBIES,),
                                             goals=(fp.GoalArea.DAILY_ROUTINES,), reviewed_on=date(2026, 6, 29),
                                             next_review_by=date(2026, 9, 30), by="w", at=T0))
    state = step(state, fp.ReduceIntensity(partnership_id=P, reduced_on=date(2027, 1, 15), by="w", at=T0))
    assert state.phase is fp.Phase.TAPERING
    state = step(state, fp.CloseInControl(partnership_id=P, closed_on=date(2027, 6, 15), by="w", at=T0))
    assert state.phase is fp.Phase.CLOSED and not state.is_open
    with pytest.raises(InvalidTransition):
        fp.decide(state, fp.RecordFamilyMeeting(partnership_id=P, kind=fp.MeetingKind.MEETING,
                                                met_on=date(2027, 7, 1), minutes=30, by="w", at=T0))


def test_a_support_plan_needs_an_initial_assessment_first() -> None:
    with pytest.raises(InvalidTransition, match="initial assessment"):
        fp.decide(referred(), plan())


def test_a_controlled_closure_needs_a_plan_an_early_one_does_not() -> None:
    with pytest.raises(InvalidTransition, match="support plan"):
        fp.decide(assessed(), fp.CloseInControl(partnership_id=P, closed_on=date(2026, 5, 1), by="w", at=T0))
    state = step(assessed(), fp.CloseEarly(partnership_id=P, reason=fp.EarlyClosureReason.MOVED_AWAY,
                                           closed_on=date(2026, 5, 1), by="w", at=T0))
    assert state.phase is fp.Phase.CLOSED_EARLY


def test_tapering_follows_intensive_work() -> None:
    with pytest.raises(InvalidTransition):
        fp.decide(assessed(), fp.ReduceIntensity(partnership_id=P, reduced_on=date(2026, 5, 1), by="w", at=T0))


def test_dates_keep_their_order() -> None:
    with pytest.raises(InvalidValue) as refused:
        fp.decide(assessed(), plan(date(2026, 3, 10)))
    assert refused.value.field == "agreed_on"


def test_referring_again_changes_nothing_and_a_step_needs_a_partnership() -> None:
    state = referred()
    again = fp.ReferFamily(partnership_id=P, organisation_id="org-sos-family-partner",
                           worker_id="user-partner.hameenlinna", municipality_code="109",
                           route=fp.ReferralRoute.CHILD_HEALTH_CLINIC, child_ids=("child-109-0001",),
                           referred_on=date(2026, 3, 2), at=T0)
    assert fp.decide(state, again) == []
    with pytest.raises(AlreadyExists):
        fp.decide(state, again.model_copy(update={"organisation_id": "org-other"}))
    with pytest.raises(NotFound):
        fp.decide(fp.initial(), plan())


def test_a_relationship_past_36_months_is_flagged() -> None:
    assert not fp.flagged(date(2026, 3, 2), date(2029, 3, 2))
    assert fp.flagged(date(2026, 3, 2), date(2029, 3, 3))
