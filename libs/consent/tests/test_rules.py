"""Every consent rule, one scenario each. Times are in days after the child was registered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from consent_scenarios import BIRTHDAY_18, CHILD, FATHER, MOTHER, day, family, given, joint_view_of, view_of
from rinnalla_consent import (
    ConsentExpired,
    ConsentRefused,
    ConsentWithdrawn,
    CustodyExceptionKind,
    CustodyExceptionRecorded,
    GuardiansChanged,
    LegalBasis,
    MinorProhibitionLifted,
    MinorProhibitionRecorded,
    MinorUnderstandingAssessed,
    Purpose,
    RecipientKind,
    SubjectKind,
    SubjectRegistered,
    consent_in_force,
    finnish_day,
    fold,
    guardian_may_see,
    may_disclose,
    purpose_for,
)
from rinnalla_consent.view import EndReason

SCHOOL = RecipientKind.SCHOOL
TO_SCHOOL = Purpose.SHARING_WITH_SCHOOL


def test_nothing_may_be_disclosed_without_consent() -> None:
    decision = may_disclose(view_of(), CHILD, SCHOOL, TO_SCHOOL, day(1))
    assert not decision.allowed
    assert decision.basis is None
    assert "no guardian's consent" in decision.reason


def test_one_guardians_consent_allows_disclosure_and_names_the_consent() -> None:
    decision = may_disclose(view_of(given("c1", MOTHER, 1)), CHILD, SCHOOL, TO_SCHOOL, day(2))
    assert decision.allowed
    assert decision.basis == decision.consent_id == "c1"


def test_a_consent_does_not_reach_back_before_it_was_given() -> None:
    assert not may_disclose(view_of(given("c1", MOTHER, 5)), CHILD, SCHOOL, TO_SCHOOL, day(4)).allowed


def test_a_consent_covers_only_its_own_purpose() -> None:
    view = view_of(given("c1", MOTHER, 1, Purpose.THL_RESEARCH))
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(2)).allowed
    assert may_disclose(view, CHILD, RecipientKind.THL_RESEARCH, Purpose.THL_RESEARCH, day(2)).allowed


def test_a_purpose_that_does_not_fit_the_recipient_is_refused_even_with_consent() -> None:
    view = view_of(given("c1", MOTHER, 1, Purpose.SHARING_WITH_HEALTH_SERVICES))
    decision = may_disclose(view, CHILD, SCHOOL, Purpose.SHARING_WITH_HEALTH_SERVICES, day(2))
    assert not decision.allowed
    assert "does not cover disclosure to the school" in decision.reason


def test_the_validity_period_bounds_the_consent() -> None:
    view = view_of(given("c1", MOTHER, 1, valid_from=day(10), valid_until=day(20)))
    assert [may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(t)).allowed for t in (5, 10, 19, 20)] == [
        False,
        True,
        True,
        False,
    ]


def test_withdrawal_ends_permission_from_its_moment_on() -> None:
    view = view_of(given("c1", MOTHER, 1), ConsentWithdrawn(consent_id="c1", withdrawn_by=MOTHER, at=day(10)))
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(9.99)).allowed
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(10)).allowed
    record = view.consent("c1")
    assert record is not None
    assert (record.ended_at, record.end_reason, record.ended_by) == (day(10), EndReason.WITHDRAWN, MOTHER)


def test_a_new_consent_after_a_withdrawal_allows_again() -> None:
    view = view_of(
        given("c1", MOTHER, 1),
        ConsentWithdrawn(consent_id="c1", withdrawn_by=MOTHER, at=day(10)),
        given("c2", MOTHER, 20),
    )
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(21)).basis == "c2"


def test_an_expired_consent_no_longer_counts() -> None:
    view = view_of(given("c1", MOTHER, 1), ConsentExpired(consent_id="c1", at=day(30)))
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(29)).allowed
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(30)).allowed


def test_expiry_is_not_an_objection_so_a_new_consent_restores_the_joint_decision() -> None:
    view = joint_view_of(
        given("c1", MOTHER, 1),
        given("c2", FATHER, 2),
        ConsentExpired(consent_id="c1", at=day(5)),
        given("c3", MOTHER, 7),
    )
    expired = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(6))
    assert not expired.allowed
    assert "refused" not in expired.reason
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(8)).consent_ids == ("c3", "c2")


def test_one_guardians_refusal_blocks_the_other_guardians_consent() -> None:
    view = joint_view_of(
        given("c1", MOTHER, 1), ConsentRefused(subject_id=CHILD, purpose=TO_SCHOOL, refused_by=FATHER, at=day(2))
    )
    decision = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(3))
    assert not decision.allowed
    assert f"guardian {FATHER} has refused" in decision.reason


def test_under_joint_custody_one_guardians_consent_is_not_enough() -> None:
    view = joint_view_of(given("c1", MOTHER, 1), given("c2", FATHER, 3))
    alone = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(2))
    assert not alone.allowed
    assert f"guardian {FATHER} has not consented" in alone.reason
    both = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(4))
    assert both.allowed
    assert both.consent_ids == ("c1", "c2")
    assert both.consent_id == "c2"


def test_participation_too_needs_both_guardians() -> None:
    view = joint_view_of(given("p1", MOTHER, 1, Purpose.PARTICIPATION))
    assert not consent_in_force(view, CHILD, Purpose.PARTICIPATION, day(2)).allowed


@pytest.mark.parametrize("kind", list(CustodyExceptionKind))
def test_a_custody_exception_lets_the_named_guardian_decide_alone(kind: CustodyExceptionKind) -> None:
    exception = CustodyExceptionRecorded(
        subject_id=CHILD, exception_id="x1", guardian_id=MOTHER, kind=kind, at=day(2), valid_until=day(10)
    )
    view = joint_view_of(given("c1", MOTHER, 1), exception)
    decisions = [may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(t)) for t in (1.5, 3, 10)]
    assert [d.allowed for d in decisions] == [False, True, False]
    assert "decides alone" in decisions[1].reason


def test_under_an_exception_the_other_guardians_word_does_not_count() -> None:
    exception = CustodyExceptionRecorded(
        subject_id=CHILD, exception_id="x1", guardian_id=MOTHER, kind=CustodyExceptionKind.SOLE_CUSTODY, at=day(0)
    )
    view = joint_view_of(
        exception,
        given("c1", MOTHER, 1),
        ConsentRefused(subject_id=CHILD, purpose=TO_SCHOOL, refused_by=FATHER, at=day(2)),
    )
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(3)).allowed


def test_a_court_ordered_division_covers_only_the_purposes_named() -> None:
    exception = CustodyExceptionRecorded(
        subject_id=CHILD,
        exception_id="x1",
        guardian_id=FATHER,
        kind=CustodyExceptionKind.COURT_ORDERED_DIVISION,
        purposes=frozenset({Purpose.PARTICIPATION}),
        at=day(0),
    )
    view = joint_view_of(exception, given("p1", FATHER, 1, Purpose.PARTICIPATION), given("c1", FATHER, 1))
    assert consent_in_force(view, CHILD, Purpose.PARTICIPATION, day(2)).allowed
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(2)).allowed


def test_an_exception_for_someone_no_longer_a_guardian_does_not_count() -> None:
    exception = CustodyExceptionRecorded(
        subject_id=CHILD, exception_id="x1", guardian_id="stranger", kind=CustodyExceptionKind.SOLE_CUSTODY, at=day(0)
    )
    view = joint_view_of(exception, given("c1", MOTHER, 1))
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(2)).allowed


def test_a_guardian_who_withdraws_objects_even_if_the_other_guardian_consented() -> None:
    view = joint_view_of(
        given("c1", MOTHER, 1),
        given("c2", FATHER, 2),
        ConsentWithdrawn(consent_id="c2", withdrawn_by=FATHER, at=day(3)),
    )
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(4)).allowed


def test_a_refusing_guardian_can_change_their_mind() -> None:
    view = view_of(
        ConsentRefused(subject_id=CHILD, purpose=TO_SCHOOL, refused_by=MOTHER, at=day(1)), given("c1", MOTHER, 2)
    )
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(3)).allowed


def test_a_consent_by_someone_who_is_no_longer_a_guardian_stops_counting() -> None:
    view = view_of(
        given("c1", MOTHER, 1), GuardiansChanged(subject_id=CHILD, guardian_ids=frozenset({FATHER}), at=day(10))
    )
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(9)).allowed
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(10)).allowed


def test_a_consent_by_a_stranger_never_counts() -> None:
    assert not may_disclose(view_of(given("c1", "neighbour", 1)), CHILD, SCHOOL, TO_SCHOOL, day(2)).allowed


def understands(at: float, purpose: Purpose | None = None, *, really: bool = True) -> MinorUnderstandingAssessed:
    return MinorUnderstandingAssessed(
        subject_id=CHILD, purpose=purpose, understands=really, assessed_by="sw", at=day(at)
    )


def test_the_minors_prohibition_overrides_the_guardians_consent() -> None:
    view = view_of(
        given("c1", MOTHER, 1),
        understands(4, TO_SCHOOL, really=False),
        MinorProhibitionRecorded(subject_id=CHILD, purpose=TO_SCHOOL, at=day(5)),
        understands(5.5, TO_SCHOOL),
    )
    decision = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(6))
    assert not decision.allowed
    assert "the child has prohibited" in decision.reason


def test_a_prohibition_takes_effect_only_with_an_assessment_of_understanding() -> None:
    view = view_of(given("c1", MOTHER, 1), MinorProhibitionRecorded(subject_id=CHILD, purpose=TO_SCHOOL, at=day(5)))
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(6)).allowed
    assessed = fold([understands(7, TO_SCHOOL), given("c2", CHILD, 7.5)], view)
    decision = may_disclose(assessed, CHILD, SCHOOL, TO_SCHOOL, day(8))
    assert not decision.allowed
    assert "the child has prohibited" in decision.reason


def test_a_prohibition_does_not_touch_participation_but_the_childs_no_does() -> None:
    view = view_of(
        given("p1", MOTHER, 1, Purpose.PARTICIPATION),
        understands(2),
        MinorProhibitionRecorded(subject_id=CHILD, at=day(3)),
    )
    assert consent_in_force(view, CHILD, Purpose.PARTICIPATION, day(4)).allowed
    vetoed = fold([ConsentRefused(subject_id=CHILD, purpose=Purpose.PARTICIPATION, refused_by=CHILD, at=day(5))], view)
    decision = consent_in_force(vetoed, CHILD, Purpose.PARTICIPATION, day(6))
    assert not decision.allowed
    assert "the child has refused" in decision.reason


def test_the_childs_yes_never_overrides_the_guardians_on_participation() -> None:
    view = view_of(
        understands(1),
        given("p1", CHILD, 2, Purpose.PARTICIPATION),
        ConsentRefused(subject_id=CHILD, purpose=Purpose.PARTICIPATION, refused_by=MOTHER, at=day(3)),
    )
    assert not consent_in_force(view, CHILD, Purpose.PARTICIPATION, day(2.5)).allowed
    decision = consent_in_force(view, CHILD, Purpose.PARTICIPATION, day(4))
    assert not decision.allowed
    assert f"guardian {MOTHER} has refused" in decision.reason


def test_a_prohibition_can_refuse_a_guardian_as_recipient() -> None:
    prohibition = MinorProhibitionRecorded(subject_id=CHILD, at=day(2), guardian_ids=frozenset({FATHER}))
    view = joint_view_of(prohibition)
    assert guardian_may_see(view, CHILD, FATHER, day(3)).allowed  # no assessment of understanding yet
    assessed = fold([understands(4)], view)
    refused = guardian_may_see(assessed, CHILD, FATHER, day(5))
    assert not refused.allowed
    assert "prohibited" in refused.reason
    assert guardian_may_see(assessed, CHILD, MOTHER, day(5)).allowed
    lifted = fold([MinorProhibitionLifted(subject_id=CHILD, at=day(6))], assessed)
    assert guardian_may_see(lifted, CHILD, FATHER, day(7)).allowed
    assert not guardian_may_see(assessed, CHILD, "stranger", day(5)).allowed
    assert not guardian_may_see(view, CHILD, MOTHER, datetime(2037, 2, 28, 22, 0, tzinfo=UTC)).allowed


def test_a_general_prohibition_covers_every_purpose_until_lifted() -> None:
    view = view_of(
        given("c1", MOTHER, 1, Purpose.THL_RESEARCH),
        MinorUnderstandingAssessed(
            subject_id=CHILD, purpose=Purpose.THL_RESEARCH, understands=False, assessed_by="sw", at=day(1)
        ),
        understands(4.5),
        given("c2", CHILD, 4.6, Purpose.THL_RESEARCH),
        MinorProhibitionRecorded(subject_id=CHILD, at=day(5)),
        MinorProhibitionLifted(subject_id=CHILD, at=day(8)),
    )
    allowed = [
        may_disclose(view, CHILD, RecipientKind.THL_RESEARCH, Purpose.THL_RESEARCH, day(t)).allowed for t in (4, 5, 8)
    ]
    assert allowed == [True, False, True]


def test_lifting_a_prohibition_for_one_purpose_keeps_the_others() -> None:
    view = view_of(
        understands(0.5),
        given("c1", CHILD, 1),
        given("c2", CHILD, 1, Purpose.PHOTOS),
        MinorProhibitionRecorded(subject_id=CHILD, purpose=TO_SCHOOL, at=day(2)),
        MinorProhibitionRecorded(subject_id=CHILD, purpose=Purpose.PHOTOS, at=day(2)),
        MinorProhibitionLifted(subject_id=CHILD, purpose=Purpose.PHOTOS, at=day(3)),
    )
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(4)).allowed
    assert may_disclose(view, CHILD, RecipientKind.PUBLIC, Purpose.PHOTOS, day(4)).allowed


def test_the_childs_own_refusal_overrides_the_guardians_consent() -> None:
    view = view_of(
        given("c1", MOTHER, 1), ConsentRefused(subject_id=CHILD, purpose=TO_SCHOOL, refused_by=CHILD, at=day(2))
    )
    assert "the child has refused" in may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(3)).reason


def test_a_minor_who_understands_decides_and_the_guardians_consent_no_longer_counts() -> None:
    understands = MinorUnderstandingAssessed(
        subject_id=CHILD, purpose=TO_SCHOOL, understands=True, assessed_by="social-worker-1", at=day(5)
    )
    view = view_of(given("c1", MOTHER, 1), understands)
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(4)).allowed
    decision = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(6))
    assert not decision.allowed
    assert "the child's own consent is needed" in decision.reason
    with_own = fold([given("c2", CHILD, 7)], view)
    assert may_disclose(with_own, CHILD, SCHOOL, TO_SCHOOL, day(8)).basis == "c2"


def test_a_minor_who_understands_can_consent_over_a_guardians_refusal() -> None:
    view = view_of(
        ConsentRefused(subject_id=CHILD, purpose=TO_SCHOOL, refused_by=MOTHER, at=day(1)),
        MinorUnderstandingAssessed(subject_id=CHILD, understands=True, assessed_by="sw", at=day(2)),
        given("c1", CHILD, 3),
    )
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(4)).allowed


def test_a_minors_own_consent_does_not_count_without_an_assessment_that_they_understand() -> None:
    view = view_of(given("c1", CHILD, 1))
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(2)).allowed


def test_a_later_assessment_can_return_the_decision_to_the_guardians() -> None:
    view = view_of(
        given("c1", MOTHER, 1),
        MinorUnderstandingAssessed(subject_id=CHILD, understands=True, assessed_by="sw", at=day(2)),
        MinorUnderstandingAssessed(subject_id=CHILD, purpose=TO_SCHOOL, understands=False, assessed_by="sw", at=day(3)),
    )
    assert [may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(t)).allowed for t in (2.5, 3.5)] == [False, True]


def test_from_the_18th_birthday_only_the_young_persons_own_consent_counts() -> None:
    view = view_of(given("c1", MOTHER, 1))
    eve = datetime(2037, 2, 28, 21, 59, tzinfo=UTC)  # 23:59 in Finland
    birthday = datetime(2037, 2, 28, 22, 0, tzinfo=UTC)  # midnight in Finland
    assert finnish_day(birthday) == BIRTHDAY_18
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, eve).allowed
    decision = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, birthday)
    assert not decision.allowed
    assert "adult" in decision.reason


def test_an_adult_subject_decides_about_their_own_data() -> None:
    view = fold(
        [
            SubjectRegistered(subject_id=MOTHER, kind=SubjectKind.ADULT, at=day(0)),
            given("c1", MOTHER, 1).model_copy(update={"subject_id": MOTHER}),
            given("c2", FATHER, 1).model_copy(update={"subject_id": MOTHER, "consent_id": "c2"}),
        ]
    )
    assert may_disclose(view, MOTHER, SCHOOL, TO_SCHOOL, day(2)).basis == "c1"
    assert not may_disclose(view, FATHER, SCHOOL, TO_SCHOOL, day(2)).allowed


def test_an_unregistered_subject_gets_nothing() -> None:
    decision = may_disclose(fold([given("c1", MOTHER, 1)]), CHILD, SCHOOL, TO_SCHOOL, day(2))
    assert not decision.allowed
    assert "not in the consent register" in decision.reason


def test_a_child_without_guardians_cannot_be_consented_for() -> None:
    view = fold([family()[0], given("c1", MOTHER, 1)])
    assert "no guardian" in may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(2)).reason


def test_a_child_welfare_notification_needs_no_consent_and_overrides_a_prohibition() -> None:
    view = view_of(MinorProhibitionRecorded(subject_id=CHILD, at=day(1)))
    decision = may_disclose(
        view, CHILD, RecipientKind.CHILD_WELFARE_AUTHORITY, LegalBasis.CHILD_WELFARE_NOTIFICATION, day(2)
    )
    assert decision.allowed
    assert decision.legal_basis is LegalBasis.CHILD_WELFARE_NOTIFICATION
    assert decision.basis == "Lastensuojelulaki 417/2007 25 §"
    assert decision.consent_id is None


def test_a_legal_basis_allows_only_the_recipient_the_law_names() -> None:
    decision = may_disclose(view_of(), CHILD, SCHOOL, LegalBasis.CHILD_WELFARE_NOTIFICATION, day(2))
    assert not decision.allowed
    assert "does not allow disclosure to the school" in decision.reason


def test_the_police_get_data_only_under_the_notification_duty() -> None:
    view = view_of(given("c1", MOTHER, 1, Purpose.SHARING_WITH_SOCIAL_SERVICES))
    assert not may_disclose(view, CHILD, RecipientKind.POLICE, Purpose.SHARING_WITH_SOCIAL_SERVICES, day(2)).allowed
    police = LegalBasis.POLICE_NOTIFICATION_OF_SUSPECTED_OFFENCE
    assert may_disclose(view, CHILD, RecipientKind.POLICE, police, day(2)).allowed


@pytest.mark.parametrize("purpose", list(Purpose))
def test_investors_never_get_personal_data(purpose: Purpose) -> None:
    view = view_of(given("c1", MOTHER, 1, purpose))
    decision = may_disclose(view, CHILD, RecipientKind.SIB_INVESTOR, purpose, day(2))
    assert not decision.allowed
    assert "aggregate" in decision.reason


def test_social_services_and_child_welfare_share_one_consent_purpose() -> None:
    view = view_of(given("c1", MOTHER, 1, Purpose.SHARING_WITH_SOCIAL_SERVICES))
    for recipient in (RecipientKind.SOCIAL_SERVICES, RecipientKind.CHILD_WELFARE_AUTHORITY):
        assert purpose_for(recipient) is Purpose.SHARING_WITH_SOCIAL_SERVICES
        assert may_disclose(view, CHILD, recipient, Purpose.SHARING_WITH_SOCIAL_SERVICES, day(2)).allowed
    assert purpose_for(RecipientKind.POLICE) is None


def test_participation_consent_is_asked_directly() -> None:
    view = view_of(given("c1", MOTHER, 1, Purpose.PARTICIPATION))
    assert consent_in_force(view, CHILD, Purpose.PARTICIPATION, day(2)).basis == "c1"


def test_recording_the_same_consent_twice_keeps_the_first() -> None:
    view = view_of(given("c1", MOTHER, 1), given("c1", FATHER, 5))
    record = view.consent("c1")
    assert record is not None
    assert record.given_by == MOTHER
    assert len(view.consents_of(CHILD)) == 1


def test_withdrawing_an_unknown_consent_changes_nothing() -> None:
    view = view_of(given("c1", MOTHER, 1))
    assert fold([ConsentWithdrawn(consent_id="nope", withdrawn_by=MOTHER, at=day(2))], view) == view


def test_facts_need_timezone_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ConsentExpired(consent_id="c1", at=day(1).replace(tzinfo=None))


def test_a_stored_answer_says_until_when_it_holds() -> None:
    view = view_of(given("c1", MOTHER, 1, valid_from=day(3), valid_until=day(10)))
    record = view.subject(CHILD)
    assert record is not None
    assert record.next_change_after(day(2)) == day(3)
    assert record.next_change_after(day(3)) == day(10)
    birthday = record.next_change_after(day(10))
    assert birthday is not None
    assert finnish_day(birthday) == BIRTHDAY_18
    assert birthday == datetime(2037, 2, 28, 22, 0, tzinfo=UTC)
    assert record.next_change_after(birthday) is None
