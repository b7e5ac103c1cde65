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
}
