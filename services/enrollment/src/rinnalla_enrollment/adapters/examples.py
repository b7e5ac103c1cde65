"""Request examples for the OpenAPI document (invented people; a valid identity code)."""

from __future__ import annotations

from typing import Any

GUARDIAN = {
    "guardian_id": "guardian-092-0001",
    "given_names": "Maija",
    "family_name": "Esimerkki",
    "phone": "+358 40 123 4567",
    "email": "maija.esimerkki@example.fi",
    "custody": "joint",
    "interpreter_needed": False,
    "language": "fi",
}
SCHOOL = {"name": "Demokylän koulu", "code": "12345"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "OpenPartnership": {"municipality_code": "092", "opened_on": "2026-01-15"},
    "SignPartnershipAgreement": {"signed_on": "2026-03-01", "team_count": 2, "valid_from": "2026-08-01"},
    "FoundTeam": {
        "name": "Vantaa 2020 A",
        "municipality_code": "092",
        "area": "Hakunila",
        "main_school": SCHOOL,
        "cohort_birth_years": [2020],
        "founded_on": "2026-08-01",
        "partnership_id": "partnership-092",
    },
    "ActivateTeam": {"activated_on": "2027-08-10"},
    "AssignMentor": {"mentor_id": "mentor-0001", "role": "lead", "starts_on": "2026-08-01"},
    "ReleaseMentor": {"mentor_id": "mentor-0001", "left_on": "2027-06-30", "reason": "resigned"},
    "HandOverMentor": {
        "outgoing_mentor_id": "mentor-0001", "incoming_mentor_id": "mentor-0002", "handed_over_on": "2027-06-30"
    },
    "NominateChild": {
        "municipality_code": "092",
        "team_id": "team-092-2020-a",
        "preschool": {"name": "Hakunilan esikoulu"},
        "nominated_on": "2026-09-15",
        "nominated_by": ["preschool", "social_services"],
        "preschool_reference": "Hakunila-esiopetus-2026-07",
        "cohort_year": 2020,
    },
    "InformGuardians": {
        "guardians": [GUARDIAN],
        "informed_on": "2026-10-01",
        "child": {"given_names": "Eetu", "family_name": "Esimerkki", "date_of_birth": "2020-03-15"},
        "reasons": ["no_other_hobby", "shy_or_withdrawn"],
    },
    "ChangeGuardians": {"guardians": [GUARDIAN]},
    "SelectChild": {"team_id": "team-092-2020-a", "decided_on": "2026-11-01"},
    "WaitlistChild": {"team_id": "team-092-2020-a", "decided_on": "2026-11-01"},
    "RecordChildNotSelected": {"decided_on": "2026-11-01", "reason": "the team is full"},
    "EnrolChild": {
        "team_id": "team-092-2020-a",
        "enrolled_on": "2026-11-15",
        "child": {
            "given_names": "Eetu", "family_name": "Esimerkki", "hetu": "150320A234T", "date_of_birth": "2020-03-15"
        },
        "guardians": [GUARDIAN],
        "school": SCHOOL,
        "class_name": "esiopetus",
    },
    "TransferChild": {"to_team_id": "team-092-2020-b", "transferred_on": "2027-01-10", "reason": "moved_within_area"},
    "RecordPermanentIdentityCode": {"hetu": "150320A234T"},
    "ChangeSchool": {"school": SCHOOL, "class_name": "2A", "changed_on": "2028-08-10"},
    "ExitChild": {"exited_on": "2028-05-31", "reason": "out_of_home_placement"},
    "CompleteChildProgramme": {"completed_on": "2036-06-01", "outcome": "further_studies_started"},
    "StartFollowUp": {"started_on": "2036-06-01"},
    "GiveConsent": {
        "consent_id": "consent-0001", "subject_id": "child-092-0001", "purpose": "participation",
        "given_by": "guardian-092-0001",
    },
    "RefuseConsent": {"subject_id": "child-092-0001", "purpose": "photos", "refused_by": "guardian-092-0001"},
    "WithdrawConsent": {"consent_id": "consent-0001", "withdrawn_by": "guardian-092-0001"},
    "RecordMinorProhibition": {"purpose": "sharing_with_school", "recorded_by": "user-mentor.vantaa"},
    "LiftMinorProhibition": {"purpose": "sharing_with_school", "recorded_by": "user-mentor.vantaa"},
    "AssessMinorUnderstanding": {"purpose": None, "understands": True, "assessed_by": "user-mentor.vantaa"},
}
