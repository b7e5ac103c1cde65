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

SDQ_PARENT = {
    "instrument": "sdq",
    "version": 1,
    "informant": "parent",
    "wave": "baseline",
    "on": "2026-09-20",
    "recorded_for": "research",
    "answers": [2, 1, 0, 2, 1, 0, 1, 0, 2, 1, 2, 0, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 0, 1, 1],
    "scores": {"total_difficulties": 9},
}

FAMILY_STAR = {
    "definition": {
        "code": "family_star",
        "version": 1,
        "title": "Family Star Plus (family partners)",
        "item_count": 8,
        "item_min": 1,
        "item_max": 10,
        "informants": [{"informant": "family"}],
        "scales": [{"name": "journey", "items": [1, 2, 3, 4, 5, 6, 7, 8], "method": "mean"}],
    }
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "RecordAssessment": SDQ_PARENT,
    "CorrectAssessment": {**SDQ_PARENT, "answers": [0] * 25, "scores": {}, "reason": "the form was the teacher's"},
    "DefineInstrumentVersion": FAMILY_STAR,
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
    "assessments": [
        {
            "assessment_id": "child-092-0001:feedback_child:self:annual-2026",
            "instrument": "feedback_child",
            "version": 1,
            "informant": "self",
            "wave": "annual",
            "wave_year": 2026,
            "on": "2026-05-20",
            "scores": {"mean": 4.5},
            "recorded_by": "mentor-092-0001",
            "corrected": False,
        }
    ],
}
