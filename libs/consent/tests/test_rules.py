"""Every consent rule, one scenario each. Times are in days after the child was registered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from consent_scenarios import BIRTHDAY_18, CHILD, FATHER, MOTHER, day, family, given, view_of
from rinnalla_consent import (
    ConsentExpired,
    ConsentRefused,
    ConsentWithdrawn,
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
    fold,
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


def test_expiry_is_not_an_objection_so_the_other_guardians_consent_still_counts() -> None:
    view = view_of(given("c1", MOTHER, 1), given("c2", FATHER, 2), ConsentExpired(consent_id="c1", at=day(5)))
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(6)).basis == "c2"


def test_one_guardians_refusal_blocks_the_other_guardians_consent() -> None:
    view = view_of(
        given("c1", MOTHER, 1), ConsentRefused(subject_id=CHILD, purpose=TO_SCHOOL, refused_by=FATHER, at=day(2))
    )
    decision = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(3))
    assert not decision.allowed
    assert f"guardian {FATHER} has refused" in decision.reason


def test_a_guardian_who_withdraws_objects_even_if_the_other_guardian_consented() -> None:
    view = view_of(
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
        given("c1", FATHER, 1), GuardiansChanged(subject_id=CHILD, guardian_ids=frozenset({MOTHER}), at=day(10))
    )
    assert may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(9)).allowed
    assert not may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(10)).allowed


def test_a_consent_by_a_stranger_never_counts() -> None:
    assert not may_disclose(view_of(given("c1", "neighbour", 1)), CHILD, SCHOOL, TO_SCHOOL, day(2)).allowed


def test_the_minors_prohibition_overrides_the_guardians_consent() -> None:
    view = view_of(given("c1", MOTHER, 1), MinorProhibitionRecorded(subject_id=CHILD, purpose=TO_SCHOOL, at=day(5)))
    decision = may_disclose(view, CHILD, SCHOOL, TO_SCHOOL, day(6))
    assert not decision.allowed
    assert "the child has prohibited" in decision.reason


def test_a_general_prohibition_covers_every_purpose_until_lifted() -> None:
    view = view_of(
        given("c1", MOTHER, 1, Purpose.THL_RESEARCH),
        MinorProhibitionRecorded(subject_id=CHILD, at=day(5)),
        MinorProhibitionLifted(subject_id=CHILD, at=day(8)),
    )
    allowed = [
        may_disclose(view, CHILD, RecipientKind.THL_RESEARCH, Purpose.THL_RESEARCH, day(t)).allowed for t in (4, 5, 8)
    ]
    assert allowed == [True, False, True]


def test_lifting_a_prohibition_for_one_purpose_keeps_the_others() -> None:
    view = view_of(
        given("c1", MOTHER, 1),
        given("c2", MOTHER, 1, Purpose.PHOTOS),
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
    eve = datetime(2037, 2, 28, 23, 59, tzinfo=UTC)
    birthday = datetime(2037, 3, 1, 0, 0, tzinfo=UTC)
    assert birthday.date() == BIRTHDAY_18
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
    view = view_of(given("c1", FATHER, 1, Purpose.PARTICIPATION))
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
