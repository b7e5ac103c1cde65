"""Older event payloads still read: a v1 nomination names no preschool."""

from __future__ import annotations

from datetime import date

from enrollment_builders import nominate
from rinnalla_enrollment.bootstrap import event_registry
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.values import School


def test_a_v1_nomination_reads_as_one_from_an_unknown_preschool() -> None:
    (event,) = child.decide(child.initial(), nominate())
    v1 = event.model_dump(mode="json", exclude={"preschool"})

    payload = event_registry().upcast(e.ChildNominated.event_type, 1, v1)

    upcast = e.ChildNominated.model_validate(payload)
    assert upcast.preschool == School(name="(unknown)")
    assert upcast.model_copy(update={"preschool": event.preschool}) == event


def test_a_v2_nomination_reads_with_its_cohort_and_no_preschool_reference() -> None:
    v2 = {
        "child_id": "child-1",
        "municipality_code": "092",
        "team_id": None,
        "preschool": {"name": "Hakunilan esikoulu", "code": ""},
        "nominated_on": "2024-10-01",
        "nominated_by": ["preschool", "social_services"],
        "reasons": "no_other_hobby",
        "given_names": "Eetu",
        "family_name": "Virtanen",
        "date_of_birth": "2018-03-15",
        "at": "2024-10-01T10:00:00+00:00",
    }

    upcast = e.ChildNominated.model_validate(event_registry().upcast(e.ChildNominated.event_type, 2, v2))

    assert (upcast.cohort_year, upcast.preschool_reference, upcast.given_names) == (2018, "", "Eetu")
    assert child.evolve(child.initial(), upcast).date_of_birth == date(2018, 3, 15)


def test_a_v2_nomination_whose_child_was_erased_reads_with_an_unknown_cohort() -> None:
    v2 = {
        "child_id": "child-1",
        "municipality_code": "092",
        "team_id": None,
        "preschool": {"name": "Hakunilan esikoulu", "code": ""},
        "nominated_on": "2024-10-01",
        "nominated_by": ["preschool", "social_services"],
        "reasons": "[erased]",
        "given_names": "[erased]",
        "family_name": "[erased]",
        "date_of_birth": "[erased]",
        "at": "2024-10-01T10:00:00+00:00",
    }

    upcast = e.ChildNominated.model_validate(event_registry().upcast(e.ChildNominated.event_type, 2, v2))

    assert upcast.cohort_year is None


def test_a_v1_exit_reads_unchanged_as_v2() -> None:
    v1 = {"child_id": "c", "team_id": "t", "exited_on": "2027-02-01", "reason": "moved_away"}
    assert event_registry().upcast(e.ChildExited.event_type, 1, v1) == v1
    assert e.ChildExited.schema_version == 2


def test_v1_consent_statements_read_without_evidence_and_still_count() -> None:
    v1_consent = {
        "child_id": "child-1",
        "consent_id": "consent-1",
        "subject_id": "child-1",
        "purpose": "participation",
        "given_by": "g-1",
        "at": "2024-10-01T10:00:00+00:00",
        "valid_from": None,
        "valid_until": None,
    }
    v1_prohibition = {
        "child_id": "child-1",
        "purpose": None,
        "recorded_by": "sw-1",
        "at": "2024-10-02T10:00:00+00:00",
    }
    registry = event_registry()

    given = e.ConsentGiven.model_validate(registry.upcast(e.ConsentGiven.event_type, 1, v1_consent))
    prohibited = e.MinorProhibitionRecorded.model_validate(
        registry.upcast(e.MinorProhibitionRecorded.event_type, 1, v1_prohibition)
    )

    assert (given.recorded_by, given.evidence, given.given_by) == ("", None, "g-1")
    assert (prohibited.guardian_ids, prohibited.evidence) == ((), None)
