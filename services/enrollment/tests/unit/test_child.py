from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

# --- nomination and selection ------------------------------------------------------------------------
from enrollment_builders import (
    AT,
    BORN,
    ENROLLED,
    OTHER_TEAM,
    OWN_WORD,
    TEAM,
    consent,
    enrol,
    enrolled_child,
    exit_,
    fold_child,
    guardian,
    hearing,
    hetu_for,
    inform,
    nominate,
    run,
    select,
    selected_child,
)
from pydantic import ValidationError
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_enrollment.domain.values import (
    ChildStatus,
    CompletionOutcome,
    ExitReason,
    NominatingRole,
    NominationReason,
    School,
)


def test_a_nomination_before_the_guardians_know_holds_no_name_birth_date_or_reasons() -> None:
    state, events = run(child.decide, child.evolve, child.initial(), nominate())
    (event,) = events
    assert isinstance(event, e.ChildNominated)
    assert (event.given_names, event.family_name, event.date_of_birth, event.reasons) == ("", "", "", "")
    assert (event.preschool_reference, event.cohort_year) == ("esiopetus-2024-07", 2018)
    assert event.preschool == School(name="Hakunilan esikoulu", code="12345")
    assert (state.status, state.date_of_birth, state.cohort_year, state.considered_team_id) == (
        ChildStatus.NOMINATED,
        None,
        2018,
        TEAM,
    )


def test_informing_the_guardians_records_who_the_child_is_and_the_grounds_of_the_nomination() -> None:
    state, events = run(child.decide, child.evolve, child.initial(), nominate(), inform())
    (event,) = events
    assert isinstance(event, e.GuardiansInformed)
    assert (event.given_names, event.family_name, event.date_of_birth) == ("Eetu Juhani", "Virtanen", "2018-03-15")
    assert event.reason_codes == (NominationReason.SHY_OR_WITHDRAWN, NominationReason.NO_OTHER_HOBBY)
    assert state.date_of_birth == BORN


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"reasons": ()}, InvalidValue, "reasons"),
        ({"child": {"given_names": "", "family_name": "V", "date_of_birth": BORN}}, InvalidValue, "child.given_names"),
        (
            {"child": {"given_names": "E", "family_name": "V", "date_of_birth": date(2019, 1, 2)}},
            InvalidValue,
            "child.date_of_birth",
        ),
    ],
)
def test_the_guardians_information_names_the_child_of_the_nominated_cohort_and_the_reasons(
    changes: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        child.decide(fold_child(child.initial(), nominate()), inform(**changes))
    assert getattr(caught.value, "field", None) == field


def test_a_nomination_names_the_preschool_that_identified_the_child() -> None:
    with pytest.raises(ValidationError):
        c.NominateChild.model_validate(nominate().model_dump(exclude={"preschool"}))
    bad = (({"name": "  "}, "preschool.name"), ({"name": "Esikoulu", "code": "12a"}, "preschool.code"))
    for preschool, field in bad:
        with pytest.raises(InvalidValue) as caught:
            child.decide(child.initial(), nominate(preschool=preschool))
        assert caught.value.field == field


def test_a_nomination_needs_a_multi_professional_group() -> None:
    lone = nominate(nominated_by=(NominatingRole.SCHOOL, NominatingRole.SCHOOL))
    with pytest.raises(RuleViolated, match="at least two different professions") as caught:
        child.decide(child.initial(), lone)
    assert caught.value.field == "nominated_by"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"preschool_reference": " "}, InvalidValue, "preschool_reference"),
        ({"municipality_code": "000"}, InvalidValue, "municipality_code"),
        ({"cohort_year": 2011}, RuleViolated, "cohort_year"),  # school year 7: past the late-joining age
        ({"cohort_year": 2019}, RuleViolated, "cohort_year"),  # still in early childhood education
    ],
)
def test_a_bad_nomination_names_the_field(changes: dict[str, Any], error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        child.decide(child.initial(), nominate(**changes))
    assert getattr(caught.value, "field", None) == field


def test_guardians_are_informed_once_and_need_a_way_to_be_reached() -> None:
    state = fold_child(child.initial(), nominate(), inform())
    assert state.status is ChildStatus.OFFERED
    assert state.guardian_ids == {"g-1"}
    with pytest.raises(InvalidTransition):
        child.decide(state, inform())
    unreachable = inform("child-1", guardian(phone="", email=""))
    with pytest.raises(InvalidValue, match="phone number or an email") as caught:
        child.decide(fold_child(child.initial(), nominate()), unreachable)
    assert caught.value.field == "guardians[0].phone"


@pytest.mark.parametrize(
    ("guardians", "field"),
    [
        ((), "guardians"),
        ((guardian(), guardian()), "guardians[1].guardian_id"),
        ((guardian(email="not-an-address"),), "guardians[0].email"),
        ((guardian("g-2", family_name=" "),), "guardians[0].family_name"),
        ((guardian(phone="call me"),), "guardians[0].phone"),
    ],
)
def test_guardian_details_are_checked_field_by_field(guardians: tuple[object, ...], field: str) -> None:
    command = inform(guardians=guardians)
    with pytest.raises(InvalidValue) as caught:
        child.decide(fold_child(child.initial(), nominate()), command)
    assert caught.value.field == field


def test_selection_waitlist_and_not_selected() -> None:
    offered = fold_child(child.initial(), nominate(), inform())
    waitlisted = fold_child(offered, c.WaitlistChild(child_id="child-1", team_id=TEAM, decided_on=date(2025, 5, 1)))
    assert waitlisted.status is ChildStatus.WAITLISTED
    assert fold_child(waitlisted, select()).status is ChildStatus.SELECTED
    passed = fold_child(waitlisted, c.RecordChildNotSelected(child_id="child-1", decided_on=date(2025, 5, 2)))
    assert passed.status is ChildStatus.NOT_SELECTED
    with pytest.raises(InvalidTransition):
        child.decide(fold_child(child.initial(), nominate()), select())


def test_a_child_not_selected_can_be_nominated_again_later_but_a_candidate_cannot() -> None:
    offered = fold_child(child.initial(), nominate(), inform())
    with pytest.raises(AlreadyExists):
        child.decide(offered, nominate())
    passed = fold_child(offered, c.RecordChildNotSelected(child_id="child-1", decided_on=date(2025, 5, 2)))
    again = fold_child(passed, nominate(on=date(2026, 10, 1)))
    assert again.status is ChildStatus.NOMINATED


def test_commands_for_a_child_never_nominated_are_refused() -> None:
    with pytest.raises(NotFound, match="has not been nominated"):
        child.decide(child.initial(), inform())


# --- enrolment ---------------------------------------------------------------------------------------


def test_enrolment_makes_the_child_active_in_one_team_and_records_the_consent_it_rests_on() -> None:
    state, events = run(child.decide, child.evolve, selected_child(), enrol())
    (event,) = events
    assert isinstance(event, e.ChildEnrolled)
    assert event.consent_id == "consent-1"
    assert event.hetu == hetu_for(BORN)
    assert (state.status, state.active_team_id, state.enrolled_on) == (ChildStatus.ACTIVE, TEAM, ENROLLED)


def test_an_invalid_identity_code_is_refused_with_the_field_path() -> None:
    bad = hetu_for(BORN)[:-1] + ("X" if hetu_for(BORN)[-1] != "X" else "Y")
    command = enrol()
    command = command.model_copy(update={"child": command.child.model_copy(update={"hetu": bad})})
    with pytest.raises(InvalidValue, match="invalid check character") as caught:
        child.decide(selected_child(), command)
    assert caught.value.field == "child.hetu"


def test_the_2023_century_signs_are_accepted() -> None:
    command = enrol()
    new_sign = hetu_for(BORN, sign="B")
    command = command.model_copy(update={"child": command.child.model_copy(update={"hetu": new_sign})})
    (event,) = child.decide(selected_child(), command)
    assert isinstance(event, e.ChildEnrolled)
    assert event.hetu[6] == "B"


def test_the_date_of_birth_must_match_the_identity_code() -> None:
    command = enrol()
    command = command.model_copy(
        update={"child": command.child.model_copy(update={"date_of_birth": date(2018, 3, 16)})}
    )
    with pytest.raises(InvalidValue, match="does not match the date of birth in the identity code") as caught:
        child.decide(selected_child(), command)
    assert caught.value.field == "child.date_of_birth"


def test_a_child_past_the_school_year_they_turn_18_cannot_be_enrolled() -> None:
    with pytest.raises(RuleViolated, match="born in 2006 is in school year 13 on 2025-08-11") as caught:
        child.decide(selected_child(), enrol(born=date(2006, 5, 1)))
    assert caught.value.field == "child.date_of_birth"


def test_a_child_born_in_december_of_the_cohort_year_is_five_at_selection_and_is_enrolled_in_pre_primary() -> None:
    december = date(2018, 12, 20)
    state = selected_child(born=december)
    enrolment = enrol(born=december, enrolled_on=date(2024, 11, 1))  # five, in pre-primary education
    (event,) = child.decide(state, enrolment)
    assert isinstance(event, e.ChildEnrolled)
    with pytest.raises(RuleViolated, match="born in 2020 is in school year -1"):
        child.decide(selected_child(), enrol(born=date(2020, 1, 1)))


def test_an_enrolment_dated_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidValue, match="not in advance") as caught:
        child.decide(selected_child(), enrol(enrolled_on=date(2025, 8, 12)))
    assert caught.value.field == "enrolled_on"


def test_the_enrolment_day_is_counted_in_finnish_time() -> None:
    late_evening_utc = datetime(2025, 8, 10, 22, 30, tzinfo=UTC)  # already 11 August in Finland
    assert child.decide(selected_child(), enrol(at=late_evening_utc))


def test_an_18_year_old_is_enrolled_on_their_own_consent_not_their_guardians() -> None:
    born = date(2007, 1, 1)  # nominated at 12, waitlisted for years
    waited = fold_child(
        child.initial(), nominate(born=born, on=date(2019, 10, 1)), inform(born=born), select(), hearing()
    )
    with pytest.raises(RuleViolated, match="the young person is 18"):
        child.decide(waited, consent())
    with pytest.raises(RuleViolated, match="adult and decides alone"):
        child.decide(waited, enrol(born=born))
    own = consent(by="child-1", consent_id="consent-own")
    assert child.decide(fold_child(waited, own), enrol(born=born))


def test_no_enrolment_without_participation_consent() -> None:
    with pytest.raises(RuleViolated, match="no participation consent: no guardian's consent") as caught:
        child.decide(selected_child(with_consent=False), enrol())
    assert caught.value.field == "consents.participation"


def test_consent_for_another_purpose_does_not_count_for_participation() -> None:
    from rinnalla_consent import Purpose

    state = fold_child(selected_child(with_consent=False), consent(purpose=Purpose.PHOTOS))
    with pytest.raises(RuleViolated, match="participation"):
        child.decide(state, enrol())


def test_a_guardian_dropped_at_enrolment_no_longer_carries_the_consent() -> None:
    command = enrol(guardians=(guardian("g-2"),))
    with pytest.raises(RuleViolated, match="no participation consent"):
        child.decide(selected_child(), command)


def test_the_minors_refusal_blocks_enrolment() -> None:
    from rinnalla_consent import Purpose

    refuse = c.RefuseConsent(
        child_id="child-1",
        subject_id="child-1",
        purpose=Purpose.PARTICIPATION,
        refused_by="child-1",
        recorded_by="child-1",
        evidence=OWN_WORD,
        at=AT,
    )
    with pytest.raises(RuleViolated, match="the child has refused"):
        child.decide(fold_child(selected_child(), refuse), enrol())


def test_enrolment_needs_selection_for_that_team() -> None:
    with pytest.raises(InvalidTransition, match="before they are selected"):
        child.decide(fold_child(child.initial(), nominate(), inform(), consent()), enrol())
    with pytest.raises(RuleViolated, match=f"selected for team {TEAM}") as caught:
        child.decide(selected_child(), enrol(team_id=OTHER_TEAM))
    assert caught.value.field == "team_id"


def test_an_enrolled_child_cannot_be_enrolled_again() -> None:
    with pytest.raises(InvalidTransition, match="one team at a time"):
        child.decide(enrolled_child(), enrol())


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"class_name": " "}, "class_name"), ({"guardians": ()}, "guardians"), ({"school": {"name": ""}}, "school.name")],
)
def test_enrolment_details_are_required(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        child.decide(selected_child(), enrol(**changes))
    assert caught.value.field == field


# --- transfer, exit, completion ----------------------------------------------------------------------


def test_a_transfer_moves_the_child_so_there_is_always_exactly_one_active_team() -> None:
    move = c.TransferChild(child_id="child-1", to_team_id=OTHER_TEAM, transferred_on=date(2026, 1, 7))
    state = fold_child(enrolled_child(), move)
    assert state.active_team_id == OTHER_TEAM
    assert [(m.team_id, m.left_on) for m in state.memberships] == [(TEAM, date(2026, 1, 7)), (OTHER_TEAM, None)]
    assert sum(m.left_on is None for m in state.memberships) == 1
    with pytest.raises(RuleViolated, match="already in this team"):
        child.decide(state, move)


def test_a_transfer_cannot_predate_joining_the_team() -> None:
    move = c.TransferChild(child_id="child-1", to_team_id=OTHER_TEAM, transferred_on=date(2025, 8, 1))
    with pytest.raises(InvalidValue) as caught:
        child.decide(enrolled_child(), move)
    assert caught.value.field == "transferred_on"


def test_exit_ends_the_membership_with_a_reason() -> None:
    state = fold_child(enrolled_child(), exit_(on=date(2027, 2, 1)))
    assert (state.status, state.active_team_id, state.exit_reason) == (ChildStatus.EXITED, None, ExitReason.MOVED_AWAY)
    assert state.memberships[-1].left_on == date(2027, 2, 1)
    with pytest.raises(InvalidTransition, match="not in a team"):
        child.decide(state, c.TransferChild(child_id="child-1", to_team_id=OTHER_TEAM, transferred_on=date(2027, 3, 1)))


def test_completion_records_the_outcome() -> None:
    done = c.CompleteChildProgramme(
        child_id="child-1", completed_on=date(2036, 6, 1), outcome=CompletionOutcome.FURTHER_STUDIES_STARTED
    )
    state = fold_child(enrolled_child(), done)
    assert (state.status, state.completion_outcome) == (
        ChildStatus.COMPLETED,
        CompletionOutcome.FURTHER_STUDIES_STARTED,
    )
    with pytest.raises(InvalidTransition):
        child.decide(state, exit_(reason=ExitReason.OTHER, on=date(2036, 7, 1)))
