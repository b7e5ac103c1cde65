"""Who may write about a child on a day: decided from enrollment's facts (the roster)."""

from __future__ import annotations

from datetime import date

import pytest
from caselog_builders import (
    AINO_WRITES,
    COORDINATOR,
    HANDOVER,
    JUHO_WRITES,
    OTHER_COORDINATOR,
    TEAM_A,
    TEAM_B,
    TEAMS,
    VILLE_WRITES,
    child,
)
from rinnalla_caselog.domain.errors import NotFound, RuleViolated
from rinnalla_caselog.domain.roster import Author, ChildFacts, age_on, may_write, may_write_all

BEFORE = date(2026, 12, 31)


def test_the_mentor_of_the_child_s_team_on_that_day_may_write() -> None:
    assert may_write(AINO_WRITES, child(), TEAMS, BEFORE).team.team_id == TEAM_A
    assert may_write(VILLE_WRITES, child(), TEAMS, HANDOVER).team.team_id == TEAM_A


def test_a_coordinator_of_the_team_s_municipality_may_write() -> None:
    assert may_write(COORDINATOR, child(), TEAMS, BEFORE).team.municipality_code == "092"


def test_a_coordinator_of_another_municipality_is_told_the_child_does_not_exist() -> None:
    with pytest.raises(NotFound):
        may_write(OTHER_COORDINATOR, child(), TEAMS, BEFORE)


def test_another_team_s_mentor_is_told_the_child_does_not_exist() -> None:
    with pytest.raises(NotFound) as refused:
        may_write(JUHO_WRITES, child(), TEAMS, BEFORE)
    assert refused.value.field == "child_id"


def test_an_unknown_child_or_person_is_not_found() -> None:
    with pytest.raises(NotFound):
        may_write(AINO_WRITES, None, TEAMS, BEFORE)
    with pytest.raises(NotFound):
        may_write(Author("someone-else"), child(), TEAMS, BEFORE)


def test_the_outgoing_mentor_s_entry_dated_on_or_after_the_handover_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        may_write(AINO_WRITES, child(), TEAMS, HANDOVER)
    assert refused.value.field == "on"
    assert "handed team team-092-a over to mentor-ville on 2027-01-01" in refused.value.reason


def test_the_outgoing_mentor_may_still_log_a_late_entry_dated_before_the_handover() -> None:
    assert may_write(AINO_WRITES, child(), TEAMS, BEFORE).team.team_id == TEAM_A


def test_the_incoming_mentor_cannot_write_for_days_before_their_start() -> None:
    with pytest.raises(RuleViolated, match="had not started"):
        may_write(VILLE_WRITES, child(), TEAMS, BEFORE)


def test_no_entry_from_the_day_of_the_exit_on() -> None:
    exited = child(left=date(2027, 2, 1), ended_on=date(2027, 2, 1), ended_because="exited: moved_away")
    with pytest.raises(RuleViolated, match="left the programme on 2027-02-01"):
        may_write(VILLE_WRITES, exited, TEAMS, date(2027, 2, 1))
    with pytest.raises(RuleViolated, match="left the programme"):
        may_write(COORDINATOR, exited, TEAMS, date(2027, 2, 10))
    assert may_write(VILLE_WRITES, exited, TEAMS, date(2027, 1, 31)).team.team_id == TEAM_A


def test_an_exit_is_not_revealed_to_those_who_never_worked_with_the_child() -> None:
    exited = child(left=date(2027, 2, 1), ended_on=date(2027, 2, 1))
    with pytest.raises(NotFound):
        may_write(JUHO_WRITES, exited, TEAMS, date(2027, 2, 10))
    with pytest.raises(NotFound):
        may_write(OTHER_COORDINATOR, exited, TEAMS, date(2027, 2, 10))


def test_a_child_not_yet_in_the_team_on_that_day() -> None:
    joined_late = child(joined=date(2026, 9, 1))
    with pytest.raises(RuleViolated, match="not in your team on 2026-08-15"):
        may_write(AINO_WRITES, joined_late, TEAMS, date(2026, 8, 15))
    with pytest.raises(NotFound):
        may_write(JUHO_WRITES, joined_late, TEAMS, date(2026, 8, 15))


def test_a_transferred_child_belongs_to_the_team_of_the_day() -> None:
    before = child(left=date(2026, 10, 1)).memberships
    after = child(team=TEAM_B, joined=date(2026, 10, 1)).memberships
    moved = ChildFacts("child-092-0001", date(2019, 5, 3), (*before, *after))
    assert may_write(AINO_WRITES, moved, TEAMS, date(2026, 9, 30)).team.team_id == TEAM_A
    assert may_write(JUHO_WRITES, moved, TEAMS, date(2026, 10, 1)).team.team_id == TEAM_B


def test_one_entry_for_several_children_must_be_of_one_team() -> None:
    first, second = child("child-1"), child("child-2", team=TEAM_B)
    with pytest.raises(RuleViolated, match="different teams"):
        may_write_all(COORDINATOR, [first, second], ["child-1", "child-2"], TEAMS, BEFORE)
    with pytest.raises(NotFound) as refused:
        may_write_all(AINO_WRITES, [first, None], ["child-1", "child-x"], TEAMS, BEFORE)
    assert refused.value.field == "children[1].child_id"
    both = may_write_all(AINO_WRITES, [first, child("child-3")], ["child-1", "child-3"], TEAMS, BEFORE)
    assert both.team_id == TEAM_A


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [(date(2015, 5, 3), date(2026, 5, 2), 10), (date(2015, 5, 3), date(2026, 5, 3), 11),
     (date(2016, 2, 29), date(2027, 2, 28), 10), (date(2016, 2, 29), date(2027, 3, 1), 11)],
)
def test_age_in_completed_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age
