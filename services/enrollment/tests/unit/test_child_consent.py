"""The consent register kept in the child's stream, and its adapter to the consent library."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from enrollment_builders import (
    AT,
    BORN,
    IN_PERSON,
    OWN_WORD,
    consent,
    enrolled_child,
    fold_child,
    guardian,
    inform,
    nominate,
    run,
)
from rinnalla_consent import ConsentView, Purpose, RecipientKind, SubjectKind, may_disclose
from rinnalla_consent import facts as consent_facts_module
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.consent_facts import consent_facts, consent_view
from rinnalla_enrollment.domain.consent_records import CustodyException
from rinnalla_enrollment.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound, RuleViolated
from rinnalla_events import ERASED, DomainEvent

LATER = AT + timedelta(days=30)
TWO_GUARDIANS = inform("child-1", guardian("g-1"), guardian("g-2", given_names="Matti"))


def offered() -> child.ChildState:
    return fold_child(child.initial(), nominate(), TWO_GUARDIANS)


def school_consent(by: str = "g-1", consent_id: str = "k-school", subject: str = "child-1") -> c.GiveConsent:
    return c.GiveConsent(
        child_id="child-1",
        consent_id=consent_id,
        subject_id=subject,
        purpose=Purpose.SHARING_WITH_SCHOOL,
        given_by=by,
        recorded_by=by,
        evidence=OWN_WORD,
        at=AT,
    )


def may_tell_school(state: child.ChildState, at: object = LATER) -> bool:
    return may_disclose(state.consents, "child-1", RecipientKind.SCHOOL, Purpose.SHARING_WITH_SCHOOL, at).allowed  # type: ignore[arg-type]


def test_both_guardians_consent_allows_sharing_with_school() -> None:
    assert not may_tell_school(offered())
    assert not may_tell_school(fold_child(offered(), school_consent()))
    assert may_tell_school(fold_child(offered(), school_consent(), school_consent("g-2", "k-school-2")))


def test_a_custody_exception_lets_one_guardian_decide_and_needs_its_basis() -> None:
    exception = c.RecordCustodyException(
        child_id="child-1",
        exception_id="x-1",
        guardian_id="g-1",
        kind=CustodyException.SOLE_CUSTODY,
        basis="court decision 1.2.2024",
        recorded_by="coordinator-1",
        at=AT,
    )
    assert may_tell_school(fold_child(offered(), exception, school_consent()))
    with pytest.raises(RuleViolated):
        child.decide(offered(), exception.model_copy(update={"guardian_id": "stranger"}))
    with pytest.raises(InvalidValue):
        child.decide(offered(), exception.model_copy(update={"basis": " "}))
    with pytest.raises(AlreadyExists):
        child.decide(fold_child(offered(), exception), exception)


def test_staff_record_a_statement_only_from_a_signed_document() -> None:
    by_staff = school_consent().model_copy(update={"recorded_by": "mentor-1"})
    with pytest.raises(RuleViolated) as caught:
        child.decide(offered(), by_staff)
    assert caught.value.field == "evidence.method"
    assert child.decide(offered(), by_staff.model_copy(update={"evidence": IN_PERSON}))


def test_only_guardians_can_consent_for_the_child() -> None:
    with pytest.raises(RuleViolated, match="only the child's guardians") as caught:
        child.decide(offered(), school_consent(by="teacher-1"))
    assert caught.value.field == "given_by"


def test_the_childs_own_consent_needs_an_assessment_first() -> None:
    with pytest.raises(RuleViolated, match="record the assessment first"):
        child.decide(offered(), school_consent(by="child-1"))
    assessed = fold_child(
        offered(),
        c.AssessMinorUnderstanding(child_id="child-1", understands=True, assessed_by="sw-1", at=AT),
        school_consent(by="child-1"),
    )
    assert may_tell_school(assessed)


def test_a_guardian_consents_for_their_own_data_only_themself() -> None:
    with pytest.raises(RuleViolated, match="their own data themself"):
        child.decide(offered(), school_consent(by="g-1", subject="g-2"))
    state = fold_child(offered(), school_consent(by="g-2", subject="g-2"))
    assert may_disclose(state.consents, "g-2", RecipientKind.SCHOOL, Purpose.SHARING_WITH_SCHOOL, LATER).allowed
    with pytest.raises(RuleViolated, match="child or for one of the child's guardians") as caught:
        child.decide(offered(), school_consent(by="x", subject="neighbour"))
    assert caught.value.field == "subject_id"


def test_a_consent_id_is_used_once_and_its_period_must_make_sense() -> None:
    with pytest.raises(AlreadyExists):
        child.decide(fold_child(offered(), school_consent()), school_consent(by="g-2"))
    backwards = school_consent().model_copy(update={"valid_until": AT - timedelta(days=1)})
    with pytest.raises(InvalidValue, match="end after it starts") as caught:
        child.decide(offered(), backwards)
    assert caught.value.field == "valid_until"


def test_withdrawal_ends_the_consent_and_cannot_be_repeated() -> None:
    withdraw = c.WithdrawConsent(
        child_id="child-1", consent_id="k-school", withdrawn_by="g-1", recorded_by="g-1", evidence=OWN_WORD, at=LATER
    )
    state = fold_child(offered(), school_consent(), school_consent("g-2", "k-school-2"), withdraw)
    assert may_tell_school(state, LATER - timedelta(seconds=1))
    assert not may_tell_school(state, LATER)
    with pytest.raises(InvalidTransition, match="already ended"):
        child.decide(state, withdraw)
    with pytest.raises(NotFound) as caught:
        child.decide(state, withdraw.model_copy(update={"consent_id": "nope"}))
    assert caught.value.field == "consent_id"


def test_the_other_guardian_or_the_child_may_withdraw_but_not_a_stranger() -> None:
    given = fold_child(offered(), school_consent())
    for who in ("g-2", "child-1"):
        assert child.decide(
            given,
            c.WithdrawConsent(
                child_id="child-1",
                consent_id="k-school",
                withdrawn_by=who,
                recorded_by=who,
                evidence=OWN_WORD,
                at=LATER,
            ),
        )
    with pytest.raises(RuleViolated) as caught:
        child.decide(
            given,
            c.WithdrawConsent(
                child_id="child-1",
                consent_id="k-school",
                withdrawn_by="x",
                recorded_by="x",
                evidence=OWN_WORD,
                at=LATER,
            ),
        )
    assert caught.value.field == "withdrawn_by"


def test_the_second_guardians_refusal_blocks_disclosure() -> None:
    refuse = c.RefuseConsent(
        child_id="child-1",
        subject_id="child-1",
        purpose=Purpose.SHARING_WITH_SCHOOL,
        refused_by="g-2",
        recorded_by="g-2",
        evidence=OWN_WORD,
        at=AT + timedelta(days=1),
    )
    state = fold_child(offered(), school_consent(), refuse)
    assert not may_tell_school(state)
    with pytest.raises(RuleViolated):
        child.decide(state, refuse.model_copy(update={"refused_by": "teacher"}))


def test_the_minors_prohibition_overrides_and_can_be_lifted() -> None:
    prohibit = c.RecordMinorProhibition(
        child_id="child-1",
        purpose=Purpose.SHARING_WITH_SCHOOL,
        recorded_by="sw-1",
        evidence=IN_PERSON,
        at=AT + timedelta(days=1),
    )
    with pytest.raises(RuleViolated, match="record the assessment first"):
        child.decide(fold_child(offered(), school_consent()), prohibit)
    understands = c.AssessMinorUnderstanding(
        child_id="child-1", purpose=Purpose.SHARING_WITH_SCHOOL, understands=True, assessed_by="sw-1", at=AT
    )
    state = fold_child(offered(), school_consent(), understands, school_consent("child-1", "k-own"), prohibit)
    assert not may_tell_school(state)
    assert child.decide(state, prohibit) == []  # already recorded
    lift = c.LiftMinorProhibition(
        child_id="child-1",
        purpose=Purpose.SHARING_WITH_SCHOOL,
        recorded_by="sw-1",
        evidence=IN_PERSON,
        at=AT + timedelta(days=2),
    )
    assert may_tell_school(fold_child(state, lift))
    with pytest.raises(InvalidTransition, match="no prohibition in force for all purposes"):
        child.decide(state, lift.model_copy(update={"purpose": None}))


def test_an_expired_consent_stops_counting_and_expiring_twice_changes_nothing() -> None:
    expire = c.ExpireConsent(child_id="child-1", consent_id="k-school", at=LATER)
    state = fold_child(offered(), school_consent(), expire)
    assert not may_tell_school(state)
    assert child.decide(state, expire) == []


def test_changing_guardians_moves_the_right_to_consent() -> None:
    change = c.ChangeGuardians(child_id="child-1", guardians=(guardian("g-2"),), at=AT + timedelta(days=5))
    state = fold_child(offered(), school_consent(by="g-1"), change)
    assert not may_tell_school(state)
    assert state.guardian_ids == {"g-2"}


# --- adapter -------------------------------------------------------------------------------------------


def test_the_adapter_registers_the_child_with_the_18th_birthday_and_the_guardians_as_adults() -> None:
    _, events = run(child.decide, child.evolve, fold_child(child.initial(), nominate()), TWO_GUARDIANS)
    facts = consent_facts(events[0])
    registered = {f.subject_id: f for f in facts if isinstance(f, consent_facts_module.SubjectRegistered)}
    assert {s: f.kind for s, f in registered.items()} == {
        "child-1": SubjectKind.CHILD,
        "g-1": SubjectKind.ADULT,
        "g-2": SubjectKind.ADULT,
    }
    # The nomination names no date of birth (data minimisation): the guardians' information brings it.
    assert registered["child-1"].comes_of_age_on == date(2036, 3, 15)


def test_an_erased_date_of_birth_leaves_the_coming_of_age_unknown() -> None:
    (nominated,) = child.decide(child.initial(), nominate())
    assert isinstance(nominated, e.ChildNominated)
    erased = nominated.model_copy(update={"date_of_birth": ERASED, "given_names": ERASED, "reasons": ERASED})
    (registered,) = consent_facts(erased)
    assert isinstance(registered, consent_facts_module.SubjectRegistered)
    assert registered.comes_of_age_on is None
    assert erased.reason_codes == ()
    assert child.evolve(child.initial(), erased).date_of_birth is None


def test_events_without_consent_meaning_give_no_facts() -> None:
    assert consent_facts(e.TeamActivated(team_id="t", activated_on=date(2025, 8, 11))) == []


def test_the_childs_register_equals_the_adapter_over_the_stream() -> None:
    steps: list[c.ChildCommand] = [nominate(), TWO_GUARDIANS, school_consent(), consent()]
    stream: list[DomainEvent] = []
    state = child.initial()
    for command in steps:
        for event in child.decide(state, command):
            stream.append(event)
            state = child.evolve(state, event)
    assert consent_view(stream) == state.consents
    assert isinstance(state.consents, ConsentView)
    assert state.date_of_birth == BORN


def test_consent_rules_still_apply_after_enrolment() -> None:
    state = enrolled_child()
    assert not may_tell_school(state)
    assert may_tell_school(fold_child(state, school_consent()))


def test_from_the_18th_birthday_the_guardians_no_longer_consent_or_refuse() -> None:
    born = date(2007, 1, 1)  # 18 on 1 January 2025, before AT
    state = fold_child(child.initial(), nominate(born=born, on=date(2019, 10, 1)), inform(born=born))
    with pytest.raises(RuleViolated, match="the young person is 18") as caught:
        child.decide(state, school_consent())
    assert caught.value.field == "given_by"
    refusal = c.RefuseConsent(
        child_id="child-1",
        subject_id="child-1",
        purpose=Purpose.PHOTOS,
        refused_by="g-1",
        recorded_by="g-1",
        evidence=OWN_WORD,
        at=AT,
    )
    with pytest.raises(RuleViolated, match="guardians of a minor"):
        child.decide(state, refusal)
    assert child.decide(state, school_consent("child-1", "k-own"))  # the young person consents themself
