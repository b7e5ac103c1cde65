"""A contact's own rules, its record and its corrections."""

from __future__ import annotations

from datetime import date

import pytest
from caselog_builders import AINO_WRITES, COORDINATOR, OTHER_COORDINATOR, TEAM_A, TEAMS, VILLE_WRITES, correct, record
from pydantic import ValidationError
from rinnalla_caselog.domain import contact as ct
from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue, NotFound
from rinnalla_caselog.domain.values import OutcomeArea, Setting, WorkArea

TEAM = TEAMS[TEAM_A]


def _recorded(command: ct.RecordContact | None = None) -> ct.ContactState:
    state = ct.initial()
    for event in ct.decide(state, command or record(), AINO_WRITES, TEAM):
        state = ct.evolve(state, event)
    return state


def test_a_contact_is_recorded_with_the_team_the_roster_decided() -> None:
    [event] = ct.decide(ct.initial(), record(), AINO_WRITES, TEAM)
    assert isinstance(event, ct.ContactRecorded)
    assert (event.team_id, event.recorded_by, event.minutes) == (TEAM_A, "mentor-aino", 45)
    assert event.children[0].outcome_areas == (OutcomeArea.SCHOOL_ATTENDANCE,)


def test_the_note_is_personal_data_of_the_child() -> None:
    from rinnalla_events import personal_fields

    assert personal_fields(ct.ContactedChild)["note"].subject_field == "child_id"


def test_a_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        ct.decide(ct.initial(), record(on=date(2027, 3, 2)), AINO_WRITES, TEAM)
    assert refused.value.field == "on"
    assert "in the future" in refused.value.reason


def test_today_in_finland_is_not_the_future() -> None:
    assert ct.decide(ct.initial(), record(on=date(2027, 3, 1)), AINO_WRITES, TEAM)


@pytest.mark.parametrize("minutes", [0, -5, 721])
def test_minutes_are_between_1_and_720(minutes: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        ct.decide(ct.initial(), record(minutes=minutes), AINO_WRITES, TEAM)
    assert refused.value.field == "minutes"


def test_a_child_is_listed_once_and_at_least_one_is_listed() -> None:
    twice = ({"child_id": "child-1"}, {"child_id": "child-1"})
    with pytest.raises(InvalidValue) as refused:
        ct.decide(ct.initial(), record(children=twice), AINO_WRITES, TEAM)
    assert refused.value.field == "children[1].child_id"
    with pytest.raises(InvalidValue) as empty:
        ct.decide(ct.initial(), record(children=()), AINO_WRITES, TEAM)
    assert empty.value.field == "children"


def test_roles_and_outcome_areas_are_listed_once() -> None:
    with pytest.raises(InvalidValue, match="role is listed twice"):
        ct.decide(ct.initial(), record(participants=("guardian", "guardian")), AINO_WRITES, TEAM)
    areas = ({"child_id": "child-1", "outcome_areas": ("social_skills", "social_skills")},)
    with pytest.raises(InvalidValue, match="outcome area is listed twice"):
        ct.decide(ct.initial(), record(children=areas), AINO_WRITES, TEAM)


def test_unknown_settings_roles_and_areas_are_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError):
        record(setting="pub")
    with pytest.raises(ValidationError):
        record(participants=("neighbour",))
    with pytest.raises(ValidationError):
        record(children=({"child_id": "child-1", "note": "x" * 4001},))


def test_every_setting_counts_towards_one_work_area() -> None:
    assert {s.work_area for s in Setting} == {WorkArea.SCHOOL, WorkArea.TEAM, WorkArea.INDIVIDUAL_AND_FAMILY}
    assert Setting.WITH_TEACHER.work_area is WorkArea.SCHOOL
    assert Setting.GAME_OR_CAMP.work_area is WorkArea.TEAM


def test_recording_the_same_contact_twice_is_refused() -> None:
    with pytest.raises(AlreadyExists, match="correct it instead"):
        ct.decide(_recorded(), record(), AINO_WRITES, TEAM)


def test_a_correction_supersedes_the_whole_record() -> None:
    state = _recorded()
    [event] = ct.decide(state, correct(minutes=60), AINO_WRITES, TEAM, TEAM)
    assert isinstance(event, ct.ContactCorrected)
    assert (event.minutes, event.corrected_by, event.reason) == (60, "mentor-aino", "wrong length")
    after = ct.evolve(state, event)
    assert (after.version, after.recorded_by) == (2, "mentor-aino")


def test_only_the_author_or_a_coordinator_of_the_municipality_corrects() -> None:
    state = _recorded()
    assert ct.decide(state, correct(), COORDINATOR, TEAM, TEAM)
    with pytest.raises(NotFound):
        ct.decide(state, correct(), VILLE_WRITES, TEAM, TEAM)
    with pytest.raises(NotFound):
        ct.decide(state, correct(), OTHER_COORDINATOR, TEAM, TEAM)


def test_correcting_a_contact_that_was_never_recorded_is_not_found() -> None:
    with pytest.raises(NotFound):
        ct.decide(ct.initial(), correct(), AINO_WRITES, TEAM)
