"""Network's tolerant readers of enrollment's consent events become the consent library's facts: v1 and v2
payloads alike, joint custody from the guardians enrolled, unknown purposes skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import rinnalla_consent as consent
from rinnalla_network.application.consent_facts import consent_facts
from rinnalla_network.consumed import enrollment as en

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
CHILD = "child-1"


def guardian(n: int) -> dict[str, Any]:
    return {"guardian_id": f"g{n}", "given_names": "Maija", "family_name": "H", "phone": "+358401", "email": "x@y.fi",
            "custody": "joint", "language": "fi"}


def enrolled() -> en.ChildEnrolled:
    return en.ChildEnrolled.model_validate({
        "child_id": CHILD, "team_id": "t", "enrolled_on": "2025-08-20", "given_names": "A", "family_name": "B",
        "hetu": "020219A123X", "date_of_birth": "2019-02-02", "guardians": [guardian(1), guardian(2)],
        "school": {"name": "x"}, "class_name": "1A", "consent_id": "c0", "at": AT.isoformat(),
        "identity_code": "permanent",
    })


def test_an_enrolled_child_is_registered_with_the_18th_birthday_and_both_guardians() -> None:
    facts = consent_facts(enrolled())
    child = facts[0]
    assert isinstance(child, consent.SubjectRegistered) and child.comes_of_age_on == date(2037, 2, 2)
    guardians = [f for f in facts if isinstance(f, consent.GuardiansChanged)]
    assert guardians[0].guardian_ids == {"g1", "g2"}


def test_v1_and_v2_consent_statements_read_alike() -> None:
    v1 = {"child_id": CHILD, "consent_id": "c1", "subject_id": CHILD, "purpose": "sharing_with_social_services",
          "given_by": "g1", "at": AT.isoformat()}
    v2 = {**v1, "recorded_by": "user-coordinator", "evidence": {"method": "signed_form"}}
    assert consent_facts(en.ConsentGiven.model_validate(v1)) == consent_facts(en.ConsentGiven.model_validate(v2))
    withdrawn = en.ConsentWithdrawn.model_validate({"child_id": CHILD, "consent_id": "c1", "withdrawn_by": "g1",
                                                    "at": AT.isoformat(), "recorded_by": "g1"})
    assert consent_facts(withdrawn) == [consent.ConsentWithdrawn(consent_id="c1", withdrawn_by="g1", at=AT)]


def test_a_whole_register_folds_to_the_answer_enrollment_would_give() -> None:
    events = [
        enrolled(),
        en.ConsentGiven.model_validate({"child_id": CHILD, "consent_id": "c1", "subject_id": CHILD,
                                        "purpose": "sharing_with_social_services", "given_by": "g1",
                                        "at": AT.isoformat()}),
        en.ConsentGiven.model_validate({"child_id": CHILD, "consent_id": "c2", "subject_id": CHILD,
                                        "purpose": "sharing_with_social_services", "given_by": "g2",
                                        "at": AT.isoformat()}),
    ]
    view = consent.fold(fact for event in events for fact in consent_facts(event))
    later = datetime(2026, 3, 2, tzinfo=UTC)
    decision = consent.may_disclose(view, CHILD, consent.RecipientKind.SOCIAL_SERVICES,
                                    consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, later)
    assert decision.allowed and set(decision.consent_ids) == {"c1", "c2"}
    prohibition = en.MinorProhibitionRecorded.model_validate({"child_id": CHILD, "purpose": None,
                                                              "at": AT.isoformat(), "guardian_ids": ["g2"]})
    assessed = en.MinorUnderstandingAssessed.model_validate({"child_id": CHILD, "purpose": None, "understands": True,
                                                             "assessed_by": "u", "at": AT.isoformat()})
    view = consent.fold([*consent_facts(assessed), *consent_facts(prohibition)], view)
    assert not consent.may_disclose(view, CHILD, consent.RecipientKind.SOCIAL_SERVICES,
                                    consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, later).allowed


def test_sharing_consents_ended_expire_each_and_an_unknown_purpose_is_skipped() -> None:
    ended = en.SharingConsentsEnded.model_validate({"child_id": CHILD, "consent_ids": ["c1", "c2"],
                                                    "at": AT.isoformat()})
    assert [f.consent_id for f in consent_facts(ended)] == ["c1", "c2"]  # type: ignore[union-attr]
    unknown = en.ConsentGiven.model_validate({"child_id": CHILD, "consent_id": "c9", "subject_id": CHILD,
                                              "purpose": "something_new", "given_by": "g1", "at": AT.isoformat()})
    assert consent_facts(unknown) == []


def test_a_custody_exception_names_the_guardian_who_decides_alone() -> None:
    exception = en.CustodyExceptionRecorded.model_validate({
        "child_id": CHILD, "exception_id": "x1", "guardian_id": "g1", "kind": "sole_custody", "purposes": [],
        "basis": "court", "valid_until": None, "recorded_by": "u", "at": AT.isoformat()})
    [fact] = consent_facts(exception)
    assert isinstance(fact, consent.CustodyExceptionRecorded) and fact.guardian_id == "g1"
