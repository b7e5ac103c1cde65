"""Rules that span two aggregates: enrolment, transfer, exit and completion, founding in a partnership."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from enrollment_builders import (
    ENROLLED,
    OTHER_TEAM,
    TEAM,
    active_team,
    enrol,
    enrolled_child,
    events_for,
    exit_,
    fold_child,
    fold_team,
    forming_team,
    found,
    join,
    selected_child,
)
from rinnalla_enrollment.domain import child, partnership, team
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.errors import InvalidTransition, NotFound, RuleViolated
from rinnalla_enrollment.domain.values import CompletionOutcome, ExitReason, RosterLeaveReason
from rinnalla_enrollment.domain.workflows import (
    complete_child,
    enrol_child,
    exit_child,
    found_team,
    transfer_child,
)
from rinnalla_events import StreamEvents


def apply_to_child(state: child.ChildState, changes: list[StreamEvents], child_id: str = "child-1") -> child.ChildState:
    for event in events_for(changes, child.STREAM_TYPE, child_id):
        state = child.evolve(state, event)
    return state


def apply_to_team(state: team.TeamState, changes: list[StreamEvents]) -> team.TeamState:
    for event in events_for(changes, team.STREAM_TYPE, state.team_id):
        state = team.evolve(state, event)
    return state


def test_enrolment_writes_to_the_child_and_the_team() -> None:
    changes = enrol_child(selected_child(), forming_team(), enrol())
    assert [(s.stream_type, s.stream_id) for s in changes] == [("child", "child-1"), ("team", TEAM)]
    (joined,) = events_for(changes, "team", TEAM)
    assert joined == e.ChildJoinedTeam(team_id=TEAM, child_id="child-1", joined_on=ENROLLED, late_join=False)
    assert apply_to_team(forming_team(), changes).children == ("child-1",)


def test_the_26th_child_is_refused_with_a_clear_error_and_nothing_is_decided() -> None:
    full = fold_team(forming_team(), *(join(f"c{i}") for i in range(25)))
    with pytest.raises(RuleViolated, match="full: all 25 places are taken") as caught:
        enrol_child(selected_child(), full, enrol())
    assert caught.value.field == "team_id"


def test_late_joining_an_active_team_stops_at_age_12() -> None:
    born_13 = date(2012, 6, 1)
    waited = fold_child(child.initial(), *_selected_steps(born=date(2012, 6, 1)))
    with pytest.raises(RuleViolated, match="up to age 12; this child is 13"):
        enrol_child(waited, active_team(), enrol(born=born_13))
    born_12 = date(2013, 6, 1)
    young = fold_child(child.initial(), *_selected_steps(born=born_12))
    changes = enrol_child(young, active_team(), enrol(born=born_12))
    (joined,) = events_for(changes, "team", TEAM)
    assert isinstance(joined, e.ChildJoinedTeam)
    assert joined.late_join


def _selected_steps(born: date) -> list[c.ChildCommand]:
    from enrollment_builders import consent, hearing, inform, nominate, select

    return [nominate(born=born, on=date(2024, 10, 1)), inform(born=born), consent(), select(), hearing()]


def test_child_rules_are_checked_before_the_team_rules() -> None:
    full = fold_team(forming_team(), *(join(f"c{i}") for i in range(25)))
    with pytest.raises(RuleViolated, match="participation"):
        enrol_child(selected_child(with_consent=False), full, enrol())


def test_a_transfer_keeps_exactly_one_active_team() -> None:
    from_team = fold_team(forming_team(), join("child-1"))
    to_team = forming_team(OTHER_TEAM)
    move = c.TransferChild(child_id="child-1", to_team_id=OTHER_TEAM, transferred_on=date(2026, 1, 7))
    changes = transfer_child(enrolled_child(), from_team, to_team, move)
    after_child = apply_to_child(enrolled_child(), changes)
    after_from = apply_to_team(from_team, changes)
    after_to = apply_to_team(to_team, changes)
    assert after_child.active_team_id == OTHER_TEAM
    assert "child-1" not in after_from.children
    assert after_from.roster[-1].leave_reason is RosterLeaveReason.TRANSFERRED
    assert after_to.children == ("child-1",)
    teams_with_child = [t for t in (after_from, after_to) if "child-1" in t.children]
    assert teams_with_child == [after_to]


def test_a_transfer_into_a_full_team_is_refused() -> None:
    from_team = fold_team(forming_team(), join("child-1"))
    full = fold_team(forming_team(OTHER_TEAM, max_size=2), join("a", OTHER_TEAM), join("b", OTHER_TEAM))
    move = c.TransferChild(child_id="child-1", to_team_id=OTHER_TEAM, transferred_on=date(2026, 1, 7))
    with pytest.raises(RuleViolated, match="full"):
        transfer_child(enrolled_child(), from_team, full, move)


def test_exit_and_completion_take_the_child_off_the_roster() -> None:
    roster = fold_team(forming_team(), join("child-1"))
    leave = exit_(reason=ExitReason.GUARDIAN_WITHDREW, on=date(2027, 2, 1))
    after = apply_to_team(roster, exit_child(enrolled_child(), roster, leave))
    assert after.size == 0
    assert after.roster[0].leave_reason is RosterLeaveReason.EXITED
    done = c.CompleteChildProgramme(
        child_id="child-1", completed_on=date(2036, 6, 1), outcome=CompletionOutcome.TEAM_COMPLETED
    )
    after = apply_to_team(roster, complete_child(enrolled_child(), roster, done))
    assert after.roster[0].leave_reason is RosterLeaveReason.COMPLETED


def test_a_workflow_refuses_a_team_that_does_not_match_the_command() -> None:
    with pytest.raises(ValueError, match="the team loaded is"):
        enrol_child(selected_child(), forming_team(OTHER_TEAM), enrol())


# --- founding inside a partnership -------------------------------------------------------------------


P = "partnership-vantaa"


def agreed(team_count: int = 2) -> partnership.PartnershipState:
    state = partnership.initial()
    for command in (
        c.OpenPartnership(partnership_id=P, municipality_code="092", opened_on=date(2024, 1, 10)),
        c.SignPartnershipAgreement(
            partnership_id=P,
            signed_on=date(2024, 3, 1),
            team_count=team_count,
            valid_from=date(2024, 8, 1),
            annual_amount_eur=Decimal("120000"),
        ),
    ):
        for event in partnership.decide(state, command):
            state = partnership.evolve(state, event)
    return state


def test_founding_a_team_in_a_partnership_records_it_in_both() -> None:
    changes = found_team(team.initial(), agreed(), found(partnership_id=P))
    assert [(s.stream_type, s.stream_id) for s in changes] == [("team", TEAM), ("partnership", P)]
    assert events_for(changes, "partnership", P) == (e.TeamAddedToPartnership(partnership_id=P, team_id=TEAM),)


def test_a_team_outside_any_partnership_touches_only_its_own_stream() -> None:
    changes = found_team(team.initial(), None, found())
    assert [s.stream_type for s in changes] == ["team"]


def test_founding_in_a_missing_or_unagreed_partnership_is_refused() -> None:
    with pytest.raises(NotFound):
        found_team(team.initial(), None, found(partnership_id=P))
    negotiating = partnership.evolve(
        partnership.initial(),
        e.PartnershipOpened(
            partnership_id=P, municipality_code="092", business_id="", county_code="04", opened_on=date(2024, 1, 10)
        ),
    )
    with pytest.raises(InvalidTransition):
        found_team(team.initial(), negotiating, found(partnership_id=P))


def test_founding_in_another_municipalitys_partnership_is_refused() -> None:
    with pytest.raises(RuleViolated, match="municipality 049"):
        found_team(team.initial(), agreed(), found(partnership_id=P, municipality_code="049"))
