"""A v1 ContactCorrected (plaintext reason) reads unchanged under v2."""

from __future__ import annotations

from rinnalla_caselog.bootstrap import event_registry
from rinnalla_caselog.domain.contact import ContactCorrected


def test_a_v1_contact_correction_reads_unchanged_with_its_record_subject() -> None:
    corrected = event_registry().validate("caselog.ContactCorrected", 1, {
        "contact_id": "contact-1", "team_id": "team-1", "on": "2026-10-05", "minutes": 60,
        "setting": "home_visit_or_family_meeting", "participants": ["guardian"],
        "children": [{"child_id": "child-092-0001", "outcome_areas": []}], "corrected_by": "user-1",
        "reason": "it took longer", "at": "2026-10-05T12:00:00+00:00",
    })
    assert isinstance(corrected, ContactCorrected)
    assert (corrected.reason, corrected.record_id) == ("it took longer", "caselog_record-contact-contact-1")
