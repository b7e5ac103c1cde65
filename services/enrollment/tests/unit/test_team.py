from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from enrollment_builders import (
    ENROLLED,
    FOUNDED,
    TEAM,
    active_team,
    fold_team,
    forming_team,
    found,
    join,
    run,
)
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain import team
from rinnalla_enrollment.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_enrollment.domain.values import (
    FundingSource,
    MentorLeaveReason,
    MentorRole,
    RosterLeaveReason,
    School,
    TeamStatus,
    TerminationReason,
)


def test_a_founded_team_is_forming_with_its_county_and_default_size() -> None:
    state = fold_team(team.initial(), found())
    assert state.status is TeamStatus.FORMING
    assert (state.municipality_code, state.county_code) == ("092", "04")
    assert state.max_size == 25
    assert state.vacant_since == FOUNDED  # no lead mentor yet
    assert state.planned_completion_year == 2036


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"municipality_code": "588"}, "municipality_code", "not a municipality code"),
        ({"cohort_birth_years": ()}, "cohort_birth_years", "at least one"),
        ({"cohort_birth_years": (2018, 2018)}, "cohort_birth_years", "twice"),
        ({"cohort_birth_years": (2018, 2021)}, "cohort_birth_years[1]", "born 2012-2019"),
        ({"max_size": 0}, "max_size", "between 1 and 40"),
        ({"name": " "}, "name", "required"),
        ({"main_school": School(name="")}, "main_school.name", "required"),
        ({"other_schools": (School(name="Ok"), School(name="X", code="A1"))}, "other_schools[1].code", "digits"),
    ],
)
def test_founding_checks_every_field(changes: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason) as caught:
        team.decide(team.initial(), found(**changes))
    assert caught.value.field == field


def test_a_team_is_founded_once() -> None:
    with pytest.raises(AlreadyExists):
        team.decide(forming_team(), found())


def test_commands_for_an_unknown_team_are_refused() -> None:
    with pytest.raises(NotFound, match="does not exist"):
        team.decide(team.initial(), c.ActivateTeam(team_id=TEAM, activated_on=ENROLLED))


# --- lifecycle ---------------------------------------------------------------------------------------


def test_school_start_activates_a_forming_team_with_a_mentor_and_children() -> None:
    state = active_team(children=3)
    assert state.status is TeamStatus.ACTIVE
    assert state.activated_on == ENROLLED


def test_a_team_cannot_start_without_children_or_without_a_lead_mentor() -> None:
    with pytest.raises(RuleViolated, match="at least one child"):
        team.decide(forming_team(), c.ActivateTeam(team_id=TEAM, activated_on=ENROLLED))
    no_mentor = fold_team(team.initial(), found(), join("c1"))
    with pytest.raises(RuleViolated, match="lead mentor"):
        team.decide(no_mentor, c.ActivateTeam(team_id=TEAM, activated_on=ENROLLED))


def test_a_team_completes_after_twelve_years_once_every_child_has_left() -> None:
    state = active_team(children=1)
    too_early = c.CompleteTeam(team_id=TEAM, completed_on=date(2035, 6, 1))
    with pytest.raises(RuleViolated, match="after 12 years, from 2036 on"):
        team.decide(state, too_early)
    finish = c.CompleteTeam(team_id=TEAM, completed_on=date(2036, 6, 1))
    with pytest.raises(RuleViolated, match="1 children are still in the team"):
        team.decide(state, finish)
    leave = c.LeaveTeam(
        team_id=TEAM, child_id=f"{TEAM}-child-0", left_on=date(2036, 5, 31), reason=RosterLeaveReason.COMPLETED
    )
    done = fold_team(state, leave, finish)
    assert done.status is TeamStatus.COMPLETED
    assert done.ended_on == date(2036, 6, 1)


def test_a_team_can_be_terminated_early_with_a_reason_and_then_nothing_changes() -> None:
    stop = c.TerminateTeam(
        team_id=TEAM,
        terminated_on=date(2027, 6, 30),
        reason=TerminationReason.FUNDING_WITHDRAWN,
        details="municipal budget cut",
    )
    state = fold_team(active_team(), stop)
    assert (state.status, state.termination_reason) == (TeamStatus.TERMINATED, TerminationReason.FUNDING_WITHDRAWN)
    with pytest.raises(InvalidTransition, match="terminated"):
        team.decide(state, join("late"))
    with pytest.raises(InvalidTransition):
        team.decide(state, c.ActivateTeam(team_id=TEAM, activated_on=ENROLLED))
    with pytest.raises(InvalidTransition):
        team.decide(state, stop)


def test_children_can_still_leave_a_terminated_team() -> None:
    stop = c.TerminateTeam(team_id=TEAM, terminated_on=date(2027, 6, 30), reason=TerminationReason.OTHER)
    state = fold_team(active_team(children=1), stop)
    leave = c.LeaveTeam(
        team_id=TEAM, child_id=f"{TEAM}-child-0", left_on=date(2027, 6, 30), reason=RosterLeaveReason.EXITED
    )
    assert fold_team(state, leave).size == 0


def test_the_sport_is_chosen_later_and_can_change() -> None:
    state = fold_team(active_team(), c.ChooseSport(team_id=TEAM, sport="floorball", chosen_on=date(2027, 9, 1)))
    assert state.sport == "floorball"
    assert team.decide(state, c.ChooseSport(team_id=TEAM, sport="floorball", chosen_on=date(2027, 9, 2))) == []


def test_schools_can_change() -> None:
    change = c.ChangeTeamSchools(team_id=TEAM, main_school=School(name="Uusi koulu"), other_schools=(School(name="B"),))
    state = fold_team(forming_team(), change)
    assert state.main_school == School(name="Uusi koulu")
    assert state.other_schools == (School(name="B"),)


# --- roster ------------------------------------------------------------------------------------------


def test_the_roster_is_capped_at_25_by_default() -> None:
    state = fold_team(forming_team(), *(join(f"c{i}") for i in range(25)))
    assert (state.size, state.places_left, state.within_target_size) == (25, 0, True)
    with pytest.raises(RuleViolated, match="full: all 25 places are taken") as caught:
        team.decide(state, join("c25"))
    assert caught.value.field == "team_id"


def test_the_maximum_size_is_configurable_but_not_below_the_roster() -> None:
    state = fold_team(forming_team(max_size=20), *(join(f"c{i}") for i in range(18)))
    assert state.places_left == 2
    with pytest.raises(RuleViolated, match="already has 18 children"):
        team.decide(state, c.ChangeMaxSize(team_id=TEAM, max_size=17))
    assert fold_team(state, c.ChangeMaxSize(team_id=TEAM, max_size=22)).places_left == 4


def test_size_against_the_15_to_25_target() -> None:
    assert not fold_team(forming_team(), *(join(f"c{i}") for i in range(14))).within_target_size
    assert fold_team(forming_team(), *(join(f"c{i}") for i in range(15))).within_target_size


def test_joining_twice_changes_nothing() -> None:
    state = fold_team(forming_team(), join("c1"))
    assert team.decide(state, join("c1")) == []


def test_late_joining_an_active_team_is_possible_up_to_age_12() -> None:
    state = active_team()
    twelve = date(2025, 9, 1)
    _, events = run(team.decide, team.evolve, state, join("late-12", born=date(2013, 1, 1), on=twelve))
    assert events == [e.ChildJoinedTeam(team_id=TEAM, child_id="late-12", joined_on=twelve, late_join=True)]
    with pytest.raises(RuleViolated, match="up to age 12; this child is 13") as caught:
        team.decide(state, join("late-13", born=date(2012, 1, 1), on=twelve))
    assert caught.value.field == "child.date_of_birth"


def test_a_child_who_left_is_kept_in_the_roster_history() -> None:
    leave = c.LeaveTeam(team_id=TEAM, child_id="c1", left_on=date(2026, 1, 1), reason=RosterLeaveReason.EXITED)
    state = fold_team(forming_team(), join("c1"), join("c2"), leave)
    assert state.children == ("c2",)
    assert [(r.child_id, r.leave_reason) for r in state.roster] == [("c1", RosterLeaveReason.EXITED), ("c2", None)]
    with pytest.raises(NotFound, match="not in this team"):
        team.decide(state, leave)


# --- mentors -----------------------------------------------------------------------------------------


def test_one_lead_mentor_at_a_time_and_a_mentor_pair() -> None:
    state = forming_team()
    with pytest.raises(RuleViolated, match="already has a lead mentor \\(mentor-1\\); hand the role over") as caught:
        team.decide(state, c.AssignMentor(team_id=TEAM, mentor_id="mentor-2", starts_on=FOUNDED))
    assert caught.value.field == "role"
    paired = fold_team(
        state,
        c.AssignMentor(team_id=TEAM, mentor_id="mentor-2", role=MentorRole.PAIR, starts_on=FOUNDED),
        c.AssignMentor(team_id=TEAM, mentor_id="resource-1", role=MentorRole.RESOURCE, starts_on=FOUNDED),
        c.AssignMentor(team_id=TEAM, mentor_id="resource-2", role=MentorRole.RESOURCE, starts_on=FOUNDED),
    )
    assert [m.role for m in paired.current_mentors] == [
        MentorRole.LEAD,
        MentorRole.PAIR,
        MentorRole.RESOURCE,
        MentorRole.RESOURCE,
    ]
    with pytest.raises(RuleViolated, match="already works in this team"):
        team.decide(
            paired, c.AssignMentor(team_id=TEAM, mentor_id="mentor-2", role=MentorRole.RESOURCE, starts_on=FOUNDED)
        )


def test_a_lead_mentor_leaving_makes_the_post_visibly_vacant_until_someone_is_hired() -> None:
    state = active_team()
    assert state.vacant_since is None
    left = fold_team(state, c.ReleaseMentor(team_id=TEAM, mentor_id="mentor-1", left_on=date(2028, 3, 31)))
    assert left.lead_mentor is None
    assert left.vacant_since == date(2028, 3, 31)
    hired = fold_team(left, c.AssignMentor(team_id=TEAM, mentor_id="mentor-2", starts_on=date(2028, 6, 1)))
    assert hired.vacant_since is None
    assert [(m.mentor_id, m.started_on, m.ended_on) for m in hired.mentors] == [
        ("mentor-1", FOUNDED, date(2028, 3, 31)),
        ("mentor-2", date(2028, 6, 1), None),
    ]


def test_a_handover_keeps_the_full_history_without_a_vacancy() -> None:
    handover = c.HandOverMentor(
        team_id=TEAM, outgoing_mentor_id="mentor-1", incoming_mentor_id="mentor-2", handed_over_on=date(2029, 8, 1)
    )
    state, events = run(team.decide, team.evolve, active_team(), handover)
    assert [type(ev) for ev in events] == [e.MentorLeft, e.MentorAssigned]
    assert state.vacant_since is None
    first, second = state.mentors
    assert (first.end_reason, first.successor_id, first.ended_on) == (
        MentorLeaveReason.HANDED_OVER,
        "mentor-2",
        date(2029, 8, 1),
    )
    assert (second.role, second.predecessor_id, second.current) == (MentorRole.LEAD, "mentor-1", True)


def test_only_a_current_mentor_can_leave_or_hand_over() -> None:
    with pytest.raises(NotFound, match="does not work in this team") as caught:
        team.decide(
            active_team(),
            c.HandOverMentor(
                team_id=TEAM, outgoing_mentor_id="nobody", incoming_mentor_id="m2", handed_over_on=date(2029, 8, 1)
            ),
        )
    assert caught.value.field == "outgoing_mentor_id"


# --- funding -----------------------------------------------------------------------------------------


def funding(source: FundingSource, amount: str = "25000", year: int = 2025, **extra: str) -> c.CommitFunding:
    return c.CommitFunding(team_id=TEAM, year=year, source=source, amount_eur=Decimal(amount), **extra)


def test_funding_per_year_from_municipality_county_foundation_and_sib() -> None:
    state = fold_team(
        forming_team(),
        funding(FundingSource.MUNICIPALITY, "25000"),
        funding(FundingSource.WELLBEING_COUNTY, "25000"),
        funding(FundingSource.FOUNDATION, "20000", funder_name="Example Foundation"),
        funding(FundingSource.SIB_CONTRACT, "10000", year=2026, sib_contract_id="sib-lapset-1"),
    )
    assert [(f.source, f.funder, f.amount_eur) for f in state.funding_in(2025)] == [
        (FundingSource.MUNICIPALITY, "092", Decimal("25000")),
        (FundingSource.WELLBEING_COUNTY, "04", Decimal("25000")),
        (FundingSource.FOUNDATION, "Example Foundation", Decimal("20000")),
    ]
    assert [f.funder for f in state.funding_in(2026)] == ["sib-lapset-1"]


def test_a_new_commitment_by_the_same_funder_for_the_year_replaces_the_old() -> None:
    state = fold_team(
        forming_team(), funding(FundingSource.MUNICIPALITY, "25000"), funding(FundingSource.MUNICIPALITY, "30000")
    )
    assert [f.amount_eur for f in state.funding_in(2025)] == [Decimal("30000")]


@pytest.mark.parametrize(
    ("command", "field", "reason"),
    [
        (funding(FundingSource.MUNICIPALITY, "0"), "amount_eur", "positive"),
        (funding(FundingSource.MUNICIPALITY, "10.001"), "amount_eur", "two decimals"),
        (funding(FundingSource.MUNICIPALITY, year=2040), "year", "runs 2024-2036"),
        (funding(FundingSource.FOUNDATION), "funder_name", "required"),
        (funding(FundingSource.SIB_CONTRACT), "sib_contract_id", "required"),
    ],
)
def test_bad_funding_is_refused(command: c.CommitFunding, field: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason) as caught:
        team.decide(forming_team(), command)
    assert caught.value.field == field
