"""Whose records they are and how long they are kept, pure: a team's register, legal holds, and the retention
schedule that follows from both."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from rinnalla_enrollment.application.ports import ChildStatusFacts
from rinnalla_enrollment.application.retention_policy import due_erasures, held_records, schedule
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain import records as r
from rinnalla_enrollment.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_enrollment.domain.values import School, TeamGender
from rinnalla_security.retention import RetentionPolicy

AT = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
DEFAULTS = RetentionPolicy.default()


def founded() -> r.RegisterState:
    event = e.TeamFounded(
        team_id="team-a", name="Vantaa A", municipality_code="092", county_code="04", area="Hakunila",
        main_school=School(name="Hakunilan koulu"), other_schools=(), cohort_birth_years=(2019,),
        gender=TeamGender.MIXED, max_size=25, founded_on=date(2025, 8, 1), partnership_id=None,
    )
    return r.register_evolve(r.register_initial(), event)


def purchased(**changes: Any) -> r.RecordTeamRegister:
    values: dict[str, Any] = {
        "team_id": "team-a", "register_kind": r.Register.PURCHASED_SERVICE,
        "statutory_retention": r.StatutoryRetention.FAMILY_SERVICES, "contract_reference": "VAKE-2025/17",
        "recorded_on": date(2025, 8, 1), "at": AT,
    }
    return r.RecordTeamRegister(**{**values, **changes})


def hold(**changes: Any) -> r.PlaceLegalHold:
    values: dict[str, Any] = {
        "hold_id": "hold-1", "municipality_code": "092", "scope": r.HoldScope.TEAM, "target_id": "team-a",
        "basis": r.HoldBasis.SIB_OUTCOME_MEASUREMENT, "reference": "LAPSET-SIB-2019", "placed_on": date(2026, 1, 15),
        "held_until": date(2031, 12, 31), "placed_by": "user-dpo.vantaa", "at": AT,
    }
    return r.PlaceLegalHold(**{**values, **changes})


def placed(**changes: Any) -> r.HoldState:
    [event] = r.hold_decide(r.hold_initial(), hold(**changes))
    return r.hold_evolve(r.hold_initial(), event)


def left(n: int, on: str, *, teams: tuple[str, ...] = ("team-a",), guardians: tuple[str, ...] = ()) -> ChildStatusFacts:
    return ChildStatusFacts(
        child_id=f"child-{n}", tenant="092", status_event="enrollment.ChildExited",
        status_payload={"exited_on": on}, guardian_ids=frozenset(guardians), team_ids=frozenset(teams),
        last_team_id=teams[-1] if teams else None,
    )


# --- the register -------------------------------------------------------------------------------------


def test_a_purchased_service_is_the_teams_county_with_its_statutory_period() -> None:
    [event] = r.register_decide(founded(), purchased())

    assert isinstance(event, r.TeamRegisterRecorded)
    assert (event.register_kind, event.controller_county_code, event.statutory_retention) == (
        r.Register.PURCHASED_SERVICE, "04", r.StatutoryRetention.FAMILY_SERVICES,
    )
    assert r.register_decide(r.register_evolve(founded(), event), purchased()) == []  # nothing new


@pytest.mark.parametrize(("command", "field"), [
    (purchased(statutory_retention=None), "statutory_retention"),
    (purchased(contract_reference=None), "contract_reference"),
    (purchased(register_kind=r.Register.PROGRAMME), "statutory_retention"),
])
def test_a_register_names_what_its_kind_needs(command: r.RecordTeamRegister, field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        r.register_decide(founded(), command)
    assert refused.value.field == field


def test_no_register_for_a_team_that_does_not_exist() -> None:
    with pytest.raises(NotFound):
        r.register_decide(r.register_initial(), purchased())


# --- legal holds --------------------------------------------------------------------------------------


def test_a_hold_is_in_force_from_its_day_to_its_end_unless_lifted() -> None:
    state = placed()
    assert state.hold is not None
    assert not state.hold.in_force_on(date(2026, 1, 14))
    assert state.hold.in_force_on(date(2026, 1, 15)) and state.hold.in_force_on(date(2031, 12, 31))
    assert not state.hold.in_force_on(date(2032, 1, 1))

    [lifted] = r.hold_decide(state, r.LiftLegalHold(hold_id="hold-1", lifted_on=date(2027, 3, 1),
                                                     lifted_by="user-dpo.vantaa", at=AT))
    after = r.hold_evolve(state, lifted).hold
    assert after is not None
    assert after.in_force_on(date(2027, 2, 28)) and not after.in_force_on(date(2027, 3, 1))


def test_a_hold_covers_its_child_its_teams_children_or_its_municipality() -> None:
    by_team, by_child = placed().hold, placed(scope=r.HoldScope.CHILD, target_id="child-1").hold
    by_town = placed(scope=r.HoldScope.MUNICIPALITY, target_id="092").hold
    assert by_team is not None and by_child is not None and by_town is not None

    assert by_team.covers("child-9", frozenset({"team-b", "team-a"}), "092")  # was in the team once
    assert not by_team.covers("child-9", frozenset({"team-b"}), "092")
    assert by_child.covers("child-1", frozenset(), "092") and not by_child.covers("child-2", frozenset(), "092")
    assert by_town.covers("child-3", frozenset(), "092") and not by_town.covers("child-3", frozenset(), "109")


@pytest.mark.parametrize(("command", "error", "field"), [
    (hold(held_until=date(2026, 1, 15)), RuleViolated, "held_until"),
    (hold(scope=r.HoldScope.MUNICIPALITY, target_id="109"), InvalidValue, "target_id"),
])
def test_a_hold_is_refused_when_it_makes_no_sense(
    command: r.PlaceLegalHold, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as refused:
        r.hold_decide(r.hold_initial(), command)
    assert getattr(refused.value, "field", None) == field


def test_a_hold_is_placed_once_and_lifted_once() -> None:
    state = placed()
    with pytest.raises(AlreadyExists):
        r.hold_decide(state, hold())
    lift = r.LiftLegalHold(hold_id="hold-1", lifted_on=date(2027, 3, 1), lifted_by="user-dpo.vantaa", at=AT)
    [lifted] = r.hold_decide(state, lift)
    with pytest.raises(InvalidTransition):
        r.hold_decide(r.hold_evolve(state, lifted), lift)
    with pytest.raises(RuleViolated):
        r.hold_decide(state, lift.model_copy(update={"lifted_on": date(2025, 1, 1)}))
    with pytest.raises(NotFound):
        r.hold_decide(r.hold_initial(), lift)


# --- the schedule -------------------------------------------------------------------------------------


def registers() -> dict[str, r.TeamRegisterRecorded]:
    [event] = r.register_decide(founded(), purchased())
    assert isinstance(event, r.TeamRegisterRecorded)
    return {"team-a": event}


def test_a_former_participant_of_a_purchased_service_is_kept_for_the_countys_period() -> None:
    county, own = left(1, "2026-02-01"), left(2, "2026-02-01", teams=("team-b",))

    rows = {row.child_id: row for row in schedule([county, own], today=date(2031, 2, 1), policy=DEFAULTS,
                                                 registers=registers())}

    assert (rows["child-1"].register, rows["child-1"].controller_county_code, rows["child-1"].retention_class,
            rows["child-1"].due_on) == (r.Register.PURCHASED_SERVICE, "04", "family_services_record", date(2056, 2, 1))
    assert (rows["child-2"].register, rows["child-2"].controller_county_code, rows["child-2"].retention_class,
            rows["child-2"].due_on) == (r.Register.PROGRAMME, None, "programme_record", date(2031, 2, 1))
    assert [d.subject_id for d in due_erasures([county, own], frozenset(), today=date(2031, 2, 1), policy=DEFAULTS,
                                               registers=registers())] == ["child-2"]


def test_the_register_is_the_last_teams() -> None:
    moved_out = left(1, "2026-02-01", teams=("team-a", "team-b"))
    [row] = schedule([moved_out], today=date(2031, 2, 1), policy=DEFAULTS, registers=registers())
    assert row.register is r.Register.PROGRAMME


def test_a_held_child_and_their_guardian_are_kept_and_the_reason_names_the_hold() -> None:
    held_child = left(1, "2026-02-01", guardians=("g-1",))
    free_child = left(2, "2026-02-01", teams=("team-b",), guardians=("g-2",))
    team_hold = placed().hold
    assert team_hold is not None
    holds = [team_hold]
    kwargs: dict[str, Any] = {"today": date(2031, 2, 1), "policy": DEFAULTS, "holds": holds}

    due = due_erasures([held_child, free_child], frozenset(), **kwargs)
    [held] = held_records([held_child, free_child], **kwargs)

    assert [(d.subject_kind, d.subject_id) for d in due] == [("child", "child-2"), ("guardian", "g-2")]
    assert held.subject_id == "child-1"
    assert held.reason == (
        "programme_record: the period ended on 2031-02-01, kept under legal hold hold-1 "
        "(sib_outcome_measurement, LAPSET-SIB-2019) on team team-a until 2031-12-31"
    )
    later = due_erasures([held_child], frozenset(), today=date(2032, 1, 1), policy=DEFAULTS, holds=holds)
    assert [d.subject_id for d in later] == ["child-1", "g-1"]


def test_a_hold_does_not_matter_before_the_period_has_run() -> None:
    team_hold = placed().hold
    assert team_hold is not None
    [row] = schedule([left(1, "2026-02-01")], today=date(2027, 1, 1), policy=DEFAULTS, holds=[team_hold])
    assert row.status(date(2027, 1, 1)) == "kept" and row.holds == (team_hold,)
