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
    "AgreeCostSharing": {
        "agreed_on": "2026-03-01",
        "valid_from": "2026-08-01",
        "price_per_team_cents": 6000000,
        "payers": [
            {"kind": "municipality", "code": "092", "business_id": "0124610-9", "share_basis_points": 5000},
            {"kind": "wellbeing_services_county", "code": "04", "share_basis_points": 5000},
        ],
    },
    "RecordNegotiationFailure": {"failed_on": "2026-04-30", "reason": "the council did not approve the budget"},
    "ChangeCountyCounterpart": {"county_code": "04", "changed_on": "2027-01-01"},
    "EndPartnership": {"ended_on": "2038-07-31", "reason": "the teams completed the programme"},
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
    "ChooseSport": {"sport": "floorball", "chosen_on": "2027-09-01"},
    "ChangeTeamSchools": {"main_school": SCHOOL, "other_schools": [{"name": "Länsimäen koulu", "code": "23456"}]},
    "ChangeMaxSize": {"max_size": 22},
    "CommitFunding": {"year": 2027, "source": "municipality", "amount_eur": "30000.00"},
    "CompleteTeam": {"completed_on": "2038-07-31"},
    "TerminateTeam": {"terminated_on": "2029-06-30", "reason": "too_few_children", "details": "six children left"},
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
        "evidence": {"method": "electronic", "information_version": "participation-information-2025-06"},
    },
    "RefuseConsent": {
        "subject_id": "child-092-0001", "purpose": "photos", "signed_by": "guardian-092-0001",
        "evidence": {"method": "signed_form", "information_version": "photos-information-2025-06",
                     "document_reference": "signed-forms/2025/child-092-0001-photos"},
    },
    "WithdrawConsent": {
        "consent_id": "consent-0001",
        "evidence": {"method": "electronic", "information_version": "participation-information-2025-06"},
    },
    "RecordMinorProhibition": {
        "purpose": "sharing_with_school", "guardian_ids": [],
        "evidence": {"method": "in_person", "information_version": "sharing-information-2025-06",
                     "document_reference": "signed-forms/2026/child-092-0001-prohibition"},
    },
    "LiftMinorProhibition": {
        "purpose": "sharing_with_school",
        "evidence": {"method": "in_person", "information_version": "sharing-information-2025-06",
                     "document_reference": "signed-forms/2026/child-092-0001-lift"},
    },
    "RecordCustodyException": {
        "exception_id": "custody-0001", "guardian_id": "guardian-092-0001", "kind": "sole_custody", "purposes": [],
        "basis": "District court decision 12.3.2024 (sole custody)", "valid_until": None,
    },
    "RecordChildHearing": {"purpose": "participation", "heard_on": "2026-08-10", "child_view": "agrees"},
    "AssessMinorUnderstanding": {"purpose": None, "understands": True},
}

# --- answers (invented people, as above) ---------------------------------------------------------------

COMMAND_ANSWER: dict[str, Any] = {
    "kind": "child", "id": "child-092-0001", "events": ["ChildEnrolled"], "replayed": False,
}

GUARDIAN_CONTACT = {key: GUARDIAN[key] for key in ("guardian_id", "given_names", "family_name", "phone", "email")}

MENTOR_TEAM: dict[str, Any] = {
    "team_id": "team-092-2020-a",
    "name": "Vantaa 2020 A",
    "municipality_code": "092",
    "area": "Hakunila",
    "main_school": "Demokylän koulu",
    "status": "active",
    "max_size": 25,
    "cohort_birth_years": [2020],
    "size": 1,
    "roster": [
        {
            "child_id": "child-092-0001",
            "status": "enrolled",
            "given_names": "Eetu",
            "family_name": "Esimerkki",
            "birth_year": 2020,
            "hetu_masked": "150320A****",
            "school_name": "Demokylän koulu",
            "class_name": "esiopetus",
            "enrolled_on": "2026-11-15",
            "guardians": [GUARDIAN_CONTACT],
            "consents_in_force": ["participation"],
        }
    ],
    "waiting_list": [],
}

TEAM_OVERVIEW: dict[str, Any] = {
    "team_id": "team-092-2020-a",
    "municipality_code": "092",
    "county_code": "vantaa-kerava",
    "name": "Vantaa 2020 A",
    "area": "Hakunila",
    "status": "active",
    "max_size": 25,
    "size": 22,
    "team_year": 4,
    "target_min": 15,
    "target_max": 25,
    "within_target_size": True,
    "lead_mentor_id": "mentor-0001",
    "lead_mentor_vacant": False,
    "mentor_handovers": 0,
    "waitlisted": 3,
    "with_participation_consent": 22,
    "consent_coverage_percent": 100.0,
    "mentors": [
        {
            "mentor_id": "mentor-0001", "role": "lead", "started_on": "2026-08-01", "ended_on": None,
            "end_reason": None, "predecessor_id": None, "successor_id": None,
        }
    ],
}

MUNICIPALITY_STATISTICS: dict[str, Any] = {
    "municipality_code": "092",
    "teams": [{"team_id": "team-092-2020-a", "name": "Vantaa 2020 A", "area": "Hakunila", "status": "active"}],
    "enrolment": [
        {"team_id": "team-092-2020-a", "team_name": "Vantaa 2020 A", "cohort": 2020, "status": "enrolled",
         "children": 22, "suppressed": False},
        {"team_id": "team-092-2020-a", "team_name": "Vantaa 2020 A", "cohort": 2020, "status": "exited",
         "children": None, "suppressed": True},
    ],
    "exits": [{"exit_reason": "moved_away", "children": None, "suppressed": True}],
}

PIPELINE_ROW: dict[str, Any] = {
    "preschool": "Hakunilan esikoulu",
    "preschool_code": "hakunilan-esikoulu",
    "nominated": 12,
    "guardians_informed": 10,
    "selected": 8,
    "waitlisted": None,
    "not_selected": None,
    "enrolled": 7,
    "suppressed": True,
}

CHILD_CONSENTS: dict[str, Any] = {
    "child_id": "child-092-0001",
    "evaluated_at": "2026-11-20T08:00:00+00:00",
    "decided_by_the_young_person": False,
    "purposes": [
        {"purpose": "participation", "in_force": True, "consent_id": "consent-0002",
         "consent_ids": ["consent-0001", "consent-0002"],
         "reason": "guardians guardian-092-0001 and guardian-092-0101 consented to participation",
         "evaluated_at": "2026-11-20T08:00:00+00:00"},
        {"purpose": "sharing_with_school", "in_force": False, "consent_id": None, "consent_ids": [],
         "reason": "no guardian's consent for sharing with school is in force",
         "evaluated_at": "2026-11-20T08:00:00+00:00"},
    ],
    "consents": [
        {"consent_id": "consent-0001", "subject_id": "child-092-0001", "purpose": "participation",
         "given_by": "guardian-092-0001", "given_at": "2026-08-10T09:00:00+00:00",
         "valid_from": "2026-08-10T09:00:00+00:00", "valid_until": None, "ended_at": None, "end_reason": None,
         "valid_now": True, "recorded_by": "guardian-092-0001",
         "evidence": {"method": "electronic", "information_version": "participation-information-2025-06",
                      "document_reference": ""}},
    ],
    "prohibitions": [],
    "custody_exceptions": [],
    "hearings": [],
    "disclosure": None,
}

ERASURE_REQUEST: dict[str, Any] = {"reason": "Guardian's erasure request of 2026-03-02, case DPO-2026-014"}


def examples(*values: dict[str, Any]) -> dict[str, Any]:
    """`model_config = ConfigDict(json_schema_extra=examples(...))`: the examples a model shows in /docs."""
    return {"examples": list(values)}
