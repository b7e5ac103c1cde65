"""The referral's state machine and every deadline path of the scheduled check, with an injected day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from network_builders import T0, both_guardians_consented, child, partner_state, register, send
from rinnalla_events import DomainEvent
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import events as e
from rinnalla_network.domain import referral
from rinnalla_network.domain.errors import InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_network.domain.referral import ReferralState
from rinnalla_network.domain.service_levels import ServiceLevels
from rinnalla_network.domain.values import Channel, DeclineReason, Outcome, ReferralStatus

R = "referral-1"
BY = "user-socialworker.vantaa"


def opened(channel: Channel = Channel.API) -> ReferralState:
    partner = partner_state(register(channel=channel, address="+358 9 839 21" if channel is Channel.PHONE else ""))
    events = referral.send(referral.initial(), partner, child(), both_guardians_consented(), ServiceLevels(), send())
    return fold(referral.initial(), events)


def fold(state: ReferralState, events: list[DomainEvent]) -> ReferralState:
    for event in events:
        state = referral.evolve(state, event)
    return state


def step(state: ReferralState, command: referral.LifecycleCommand) -> ReferralState:
    return fold(state, referral.decide(state, command))


def test_the_whole_loop_sent_received_accepted_in_progress_completed() -> None:
    state = opened()
    assert state.status is ReferralStatus.SENT
    state = step(state, c.ReceiveReferral(referral_id=R, by=BY, at=T0))
    assert state.status is ReferralStatus.RECEIVED
    assert referral.decide(state, c.ReceiveReferral(referral_id=R, by=BY, at=T0)) == []
    state = step(state, c.AcceptReferral(referral_id=R, by=BY, at=T0))
    state = step(state, c.StartReferral(referral_id=R, by=BY, at=T0))
    assert state.status is ReferralStatus.IN_PROGRESS
    state = step(state, c.CompleteReferral(referral_id=R, outcome=Outcome.SERVICE_STARTED, by=BY, at=T0))
    assert state.status is ReferralStatus.COMPLETED and not state.is_open


def test_deciding_an_unacknowledged_referral_acknowledges_it() -> None:
    events = referral.decide(opened(), c.AcceptReferral(referral_id=R, by=BY, at=T0))
    assert [type(x) for x in events] == [e.ReferralReceived, e.ReferralAccepted]


def test_a_decline_needs_its_reason() -> None:
    with pytest.raises(RuleViolated) as refused:
        referral.decide(opened(), c.DeclineReferral(referral_id=R, by=BY, at=T0))
    assert refused.value.field == "reason"
    state = step(opened(), c.DeclineReferral(referral_id=R, reason=DeclineReason.NO_CAPACITY, by=BY, at=T0))
    assert state.status is ReferralStatus.DECLINED


def test_a_completion_needs_its_outcome_and_an_accepted_referral() -> None:
    with pytest.raises(RuleViolated) as refused:
        referral.decide(opened(), c.CompleteReferral(referral_id=R, by=BY, at=T0))
    assert refused.value.field == "outcome"
    with pytest.raises(InvalidTransition):
        referral.decide(opened(), c.CompleteReferral(referral_id=R, outcome=Outcome.SERVICE_STARTED, by=BY, at=T0))


def test_the_sender_closes_a_referral_to_an_offline_organisation_with_the_outcome_learned() -> None:
    with pytest.raises(RuleViolated):
        referral.decide(opened(), c.CompleteReferral(referral_id=R, outcome=Outcome.SERVICE_STARTED, by="m",
                                                     by_sender=True, at=T0))
    [event] = referral.decide(opened(Channel.PHONE), c.CompleteReferral(
        referral_id=R, outcome=Outcome.ASSESSED_NO_NEED, by="m", by_sender=True, at=T0))
    assert isinstance(event, e.ReferralOutcomeRecorded) and event.recorded_by_sender


def test_withdrawn_and_rerouted_referrals_are_closed_and_linked() -> None:
    state = step(opened(), c.WithdrawReferral(referral_id=R, reason="found help", by="m", at=T0))
    assert state.status is ReferralStatus.WITHDRAWN
    with pytest.raises(InvalidTransition):
        referral.decide(state, c.AcceptReferral(referral_id=R, by=BY, at=T0))
    declined = step(opened(), c.DeclineReferral(referral_id=R, reason=DeclineReason.NO_CAPACITY, by=BY, at=T0))
    rerouted = step(declined, c.RecordReroute(referral_id=R, to_referral_id="referral-2",
                                              to_organisation_id="org-other", by="m", at=T0))
    assert rerouted.status is ReferralStatus.REROUTED and rerouted.rerouted_to == "referral-2"
    with pytest.raises(InvalidValue):
        referral.decide(declined, c.RecordReroute(referral_id=R, to_referral_id="referral-2",
                                                  to_organisation_id=declined.organisation_id, by="m", at=T0))


def test_no_step_on_a_referral_that_does_not_exist() -> None:
    with pytest.raises(NotFound):
        referral.decide(referral.initial(), c.ReceiveReferral(referral_id=R, by=BY, at=T0))


def test_sharing_stops_once_on_an_open_referral_resting_on_consent() -> None:
    state = step(opened(), c.StopSharing(referral_id=R, reason="consent withdrawn", at=T0))
    assert state.sharing_stopped
    assert referral.decide(state, c.StopSharing(referral_id=R, reason="again", at=T0)) == []


# --- the scheduled check: sent Monday 2.3.2026; acknowledge by 4.3., decide by 11.3., outcome by 2.6. ---


def check(state: ReferralState, day: date) -> list[DomainEvent]:
    return referral.check_deadlines(state, day, datetime(day.year, day.month, day.day, 6, tzinfo=UTC))


def kinds(events: list[DomainEvent]) -> list[tuple[str, str]]:
    return [(type(x).__name__, getattr(x, "stage", "")) for x in events]


def test_nothing_before_the_first_deadline() -> None:
    assert check(opened(), date(2026, 3, 3)) == []


def test_a_reminder_on_the_acknowledgement_day_once() -> None:
    state = opened()
    events = check(state, date(2026, 3, 4))
    assert kinds(events) == [("ReferralReminderDue", "acknowledge")]
    assert check(fold(state, events), date(2026, 3, 5)) == []


def test_a_reminder_on_the_decision_day_and_an_escalation_the_day_after() -> None:
    state = fold(opened(), check(opened(), date(2026, 3, 4)))
    state = step(state, c.ReceiveReferral(referral_id=R, by=BY, at=T0))
    on_the_day = check(state, date(2026, 3, 11))
    assert kinds(on_the_day) == [("ReferralReminderDue", "decide")]
    state = fold(state, on_the_day)
    assert kinds(check(state, date(2026, 3, 12))) == [("ReferralEscalated", "decide")]


def test_a_decided_referral_is_not_escalated_for_its_decision() -> None:
    state = step(opened(), c.AcceptReferral(referral_id=R, by=BY, at=T0))
    assert check(state, date(2026, 3, 12)) == []


def test_the_outcome_is_reminded_on_its_day_escalated_ten_working_days_later_and_expires_after_three_months() -> None:
    state = step(opened(), c.AcceptReferral(referral_id=R, by=BY, at=T0))
    reminded = check(state, date(2026, 6, 2))
    assert kinds(reminded) == [("ReferralReminderDue", "outcome")]
    state = fold(state, reminded)
    assert check(state, date(2026, 6, 16)) == []  # 10 working days after 2.6. is 16.6.
    escalated = check(state, date(2026, 6, 17))
    assert kinds(escalated) == [("ReferralEscalated", "outcome")]
    state = fold(state, escalated)
    assert check(state, date(2026, 9, 2)) == []
    expired = check(state, date(2026, 9, 3))
    assert kinds(expired) == [("ReferralExpired", "")]
    assert fold(state, expired).status is ReferralStatus.EXPIRED
    assert check(fold(state, expired), date(2026, 12, 1)) == []


def test_a_closed_referral_has_no_deadlines() -> None:
    state = step(opened(), c.WithdrawReferral(referral_id=R, reason="x", by="m", at=T0))
    assert check(state, date(2026, 12, 1)) == []
