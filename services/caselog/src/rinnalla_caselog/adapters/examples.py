"""Request and answer examples for the OpenAPI document (invented ids; notes say nothing real)."""

from __future__ import annotations

from typing import Any

CONTACT = {
    "on": "2026-09-14",
    "minutes": 45,
    "setting": "home_visit_or_family_meeting",
    "participants": ["guardian", "sibling"],
    "children": [
        {
            "child_id": "child-092-0001",
            "note": "Talked about the morning routine; mother will call the teacher on Friday.",
            "outcome_areas": ["school_attendance", "family_everyday_life"],
        }
    ],
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "RecordContact": CONTACT,
    "CorrectContact": {**CONTACT, "minutes": 60, "reason": "the visit lasted an hour, not 45 minutes"},
}

COMMAND_ANSWER = {"kind": "contact", "id": "contact-7f3a", "events": ["caselog.ContactRecorded"], "replayed": False}


def examples(*values: dict[str, Any]) -> dict[str, Any]:
    return {"examples": list(values)}

CHILD_TIMELINE = {
    "child_id": "child-092-0001",
    "contacts": [
        {
            "contact_id": "contact-7f3a",
            "team_id": "team-092-2019-a",
            "on": "2026-09-14",
            "minutes": 60,
            "setting": "home_visit_or_family_meeting",
            "participants": ["guardian", "sibling"],
            "recorded_by": "mentor-092-0001",
            "corrected": True,
            "note": "Talked about the morning routine; mother will call the teacher on Friday.",
            "outcome_areas": ["school_attendance", "family_everyday_life"],
        }
    ],
}
