"""A child without a permanent identity code: enrolled with a temporary code or none, the code recorded later."""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_builders import AT, BORN, enrol, enrolled_child, fold_child, hetu_for, run, selected_child
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.errors import InvalidTransition, InvalidValue
from rinnalla_enrollment.domain.values import IdentityCodeKind


def enrol_with(hetu: str, born: date = BORN) -> c.EnrolChild:
    command = enrol(born=born)
    return command.model_copy(update={"child": command.child.model_copy(update={"hetu": hetu})})


def record(hetu: str, child_id: str = "child-1") -> c.RecordPermanentIdentityCode:
    return c.RecordPermanentIdentityCode(child_id=child_id, hetu=hetu, at=AT)


def test_a_child_with_no_identity_code_is_enrolled_with_the_date_of_birth_alone() -> None:
    state, (event,) = run(child.decide, child.evolve, selected_child(), enrol_with(""))
    assert isinstance(event, e.ChildEnrolled)
    assert (event.hetu, event.identity_code) == ("", IdentityCodeKind.NONE)
    assert state.identity_code is IdentityCodeKind.NONE


def test_a_child_with_a_temporary_identity_code_is_enrolled_and_the_code_is_marked_temporary() -> None:
    temporary = hetu_for(BORN, individual=912)
    (event,) = child.decide(selected_child(), enrol_with(temporary))
    assert isinstance(event, e.ChildEnrolled)
    assert (event.hetu, event.identity_code) == (temporary, IdentityCodeKind.TEMPORARY)


def test_a_permanent_code_enrols_as_permanent() -> None:
    (event,) = child.decide(selected_child(), enrol())
    assert isinstance(event, e.ChildEnrolled)
    assert event.identity_code is IdentityCodeKind.PERMANENT


def test_the_permanent_code_is_recorded_later_on_the_same_child_record() -> None:
    without = fold_child(selected_child(), enrol_with(""))
    state, (event,) = run(child.decide, child.evolve, without, record(hetu_for(BORN)))
    assert isinstance(event, e.ChildPermanentIdentityCodeRecorded)
    assert (event.child_id, event.hetu, event.date_of_birth) == ("child-1", hetu_for(BORN), "2018-03-15")
    assert (state.identity_code, state.active_team_id) == (IdentityCodeKind.PERMANENT, without.active_team_id)


def test_the_permanent_codes_date_of_birth_replaces_an_estimated_one() -> None:
    without = fold_child(selected_child(), enrol_with(""))
    corrected = date(2018, 7, 1)
    state = fold_child(without, record(hetu_for(corrected)))
    assert state.date_of_birth == corrected


def test_a_child_who_already_has_a_permanent_code_gets_no_second_one() -> None:
    with pytest.raises(InvalidTransition, match="already has a permanent identity code") as caught:
        child.decide(enrolled_child(), record(hetu_for(BORN, individual=124)))
    assert caught.value.field == "hetu"


def test_a_temporary_code_is_not_accepted_as_the_permanent_one() -> None:
    without = fold_child(selected_child(), enrol_with(""))
    with pytest.raises(InvalidValue, match="temporary") as caught:
        child.decide(without, record(hetu_for(BORN, individual=912)))
    assert caught.value.field == "hetu"


def test_the_permanent_code_is_recorded_only_for_an_enrolled_child() -> None:
    with pytest.raises(InvalidTransition, match="not enrolled"):
        child.decide(selected_child(), record(hetu_for(BORN)))
