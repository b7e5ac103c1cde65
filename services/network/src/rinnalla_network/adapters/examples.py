"""OpenAPI examples of the command bodies (what a client sends)."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "RegisterPartner": {
        "name": "Vantaan ja Keravan hyvinvointialue, perhesosiaalityö", "kind": "county_social_services",
        "business_id": "3221346-9", "service_types": ["family_social_work", "service_need_assessment"],
        "municipality_codes": ["092", "245"], "channel": "api",
    },
    "ChangePartnerServices": {"service_types": ["family_social_work"], "municipality_codes": ["092"]},
    "ChangePartnerChannel": {"channel": "secure_form", "channel_address": "https://asiointi.example.fi/lomake"},
    "PauseInbound": {"reason": "no capacity until the end of the month"},
    "ResumeInbound": {},
    "SendReferral": {
        "child_id": "child-092-0001", "organisation_id": "org-county-vantaa-kerava",
        "service_type": "family_social_work", "reason_codes": ["family_strain"], "urgency": "routine",
        "summary": "The family asked for support with evening routines; the guardians agreed to this referral.",
        "packet_fields": ["child_name", "birth_date", "guardian_contacts", "mentor_contact"],
        "contact_phone": "+358 40 765 4321",
    },
    "ReceiveReferral": {},
    "AcceptReferral": {},
    "DeclineReferral": {"reason": "no_capacity"},
    "StartReferral": {},
    "CompleteReferral": {"outcome": "service_started"},
    "WithdrawReferral": {"reason": "the family found help elsewhere"},
    "ReferFamily": {
        "organisation_id": "org-sos-family-partner", "worker_id": "user-partner.hameenlinna",
        "municipality_code": "109", "route": "child_health_clinic", "child_ids": ["child-109-0001"],
        "guardian_ids": ["guardian-109-0001"], "referred_on": "2026-03-02",
        "members": [{"member_id": "guardian-109-0001", "name": "Helena Perhe"}],
    },
    "CompleteInitialAssessment": {"assessed_on": "2026-03-16"},
    "AgreeSupportPlan": {"goals": ["daily_routines", "hobbies"], "agreed_on": "2026-03-30", "review_by": "2026-06-30"},
    "ReviewSupportPlan": {"goals_met": ["hobbies"], "goals": ["daily_routines"], "reviewed_on": "2026-06-29",
                          "next_review_by": "2026-09-30"},
    "RecordFamilyMeeting": {"kind": "home_visit", "met_on": "2026-04-07", "minutes": 90},
    "ReduceIntensity": {"reduced_on": "2027-01-15"},
    "CloseInControl": {"closed_on": "2027-06-15", "goals_met": ["daily_routines", "hobbies"]},
    "CloseEarly": {"reason": "moved_away", "closed_on": "2026-05-01"},
}

REFERRAL_ROW: dict[str, Any] = {
    "referral_id": "referral-0001", "child_id": "child-092-0001", "team_id": "team-092-2019-a",
    "organisation_id": "org-county-vantaa-kerava", "organisation_kind": "county_social_services",
    "service_type": "family_social_work", "reason_codes": ["family_strain"], "urgency": "routine",
    "status": "received", "sent_at": "2026-03-02T08:00:00Z", "age_days": 3, "next_due": "2026-03-11",
    "overdue": False, "due_soon": False, "decline_reason": None, "outcome": None, "rerouted_from": None,
    "rerouted_to": None, "basis": "social-1,social-2", "legal_basis": None,
    "fields_sent": ["child_name", "birth_date", "guardian_contacts", "requested_service", "urgency", "summary"],
    "reminders": ["acknowledge"], "escalations": [], "sharing_stopped": False, "sharing_stopped_reason": None,
}

READ_EXAMPLES: dict[str, Any] = {
    "partners": [{
        "organisation_id": "org-county-vantaa-kerava", "name": "Vantaan ja Keravan hyvinvointialue, perhesosiaalityö",
        "kind": "county_social_services", "business_id": "3221346-9",
        "service_types": ["family_social_work", "service_need_assessment"], "channel": "api", "channel_address": "",
        "paused": False, "paused_reason": None, "municipality_codes": ["092", "245"], "county_codes": ["01"],
    }],
    "inbox": {
        "organisation_id": "org-county-vantaa-kerava",
        "open": [{**REFERRAL_ROW, "packet": {
            "child_id": "child-092-0001", "child_name": "Aino Esimerkki", "birth_date": "2019-02-02",
            "identity_code": "", "guardian_contacts": [{"guardian_id": "guardian-092-0001", "name": "Maija Huoltaja",
                                                        "phone": "+358 40 123 4567", "email": ""}],
            "mentor_contact": {"person_id": "user-mentor.vantaa", "name": "Aino Mentor", "phone": "+358 40 765 4321"},
            "requested_service": "family_social_work", "urgency": "routine",
            "summary": "The family asked for support with evening routines."}}],
        "due_soon": [], "overdue": [], "closed": [],
    },
    "referrals": [REFERRAL_ROW],
    "family": [{
        "partnership_id": "family-109-0001", "organisation_id": "org-sos-family-partner",
        "worker_id": "user-partner.hameenlinna", "municipality_code": "109", "route": "child_health_clinic",
        "phase": "intensive", "referred_on": "2026-03-02", "assessed_on": "2026-03-16", "plan_agreed_on": "2026-03-30",
        "goals": ["daily_routines", "hobbies"], "review_by": "2026-06-30", "meetings": 4, "closed_on": None,
        "months": 9, "flagged": False,
    }],
    "guardian": {
        "child_id": "child-092-0001", "referrals": [REFERRAL_ROW],
        "disclosures": [{"at": "2026-03-02T08:00:01Z", "recipient_organisation": "org-county-vantaa-kerava",
                         "disclosed": "referral referral-0001 (family_social_work): child_name, birth_date",
                         "consent_id": "social-1,social-2", "legal_basis": None, "service": "network"}],
    },
}


def ok_example(name: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": READ_EXAMPLES[name]}}}}
