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
    "SetGoal": {"child_id": "child-092-0001", "area": "school_attendance",
                "wording": "Gets to school on time four mornings a week", "set_on": "2026-09-01",
                "target_on": "2026-12-18"},
    "ReviewGoal": {"reviewed_on": "2026-10-15", "rating": 3, "status": "open",
                   "note": "Late twice in the last two weeks; the alarm clock helps."},
    "HoldSession": {"team_id": "team-092-2019-a", "on": "2026-10-06", "kind": "practice", "minutes": 90,
                    "attendance": [{"child_id": "child-092-0001", "present": True},
                                   {"child_id": "child-092-0002", "present": False, "absence_reason": "ill"}]},
    "CorrectSession": {"team_id": "team-092-2019-a", "on": "2026-10-06", "kind": "practice", "minutes": 75,
                       "attendance": [{"child_id": "child-092-0001", "present": True}],
                       "reason": "child 2 was not expected: on a school trip"},
    "ReportTime": {"administration_minutes": 240},
    "RecordNotificationFiled": {"child_id": "child-092-0001", "filed_on": "2026-10-08", "county_code": "04",
                                "filer_role": "mentor", "channel": "secure_form", "family_informed": True},
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
    "goals": [
        {
            "goal_id": "goal-1",
            "team_id": "team-092-2019-a",
            "area": "school_attendance",
            "wording": "Gets to school on time four mornings a week",
            "set_on": "2026-09-01",
            "target_on": "2026-12-18",
            "set_by": "mentor-092-0001",
            "status": "open",
            "last_rating": 3,
            "last_reviewed_on": "2026-10-15",
            "reviews": [
                {"reviewed_on": "2026-10-15", "rating": 3, "status": "open",
                 "note": "Late twice in the last two weeks; the alarm clock helps.", "reviewed_by": "mentor-092-0001"}
            ],
        }
    ],
}

TIME_SPLIT = {
    "mentor_id": "mentor-092-0001",
    "norm_share": 0.333,
    "tolerance": 0.1,
    "weeks": [
        {
            "week": "2026-W41",
            "minutes": {"school": 600, "team": 540, "individual_and_family": 660, "administration": 240},
            "shares": {"school": 0.333, "team": 0.3, "individual_and_family": 0.367},
            "within_norm": True,
            "off_norm": [],
        }
    ],
}

OWN_MARKERS = {
    "markers": [
        {
            "marker_id": "marker-5d1e",
            "child_id": "child-092-0001",
            "team_id": "team-092-2019-a",
            "filed_on": "2026-10-08",
            "county_code": "04",
            "filer_role": "mentor",
            "channel": "secure_form",
            "family_informed": True,
        }
    ]
}

MENTOR_TODAY = {
    "today": "2026-10-06",
    "teams": [
        {
            "team_id": "team-092-2019-a",
            "name": "Vantaa 2019 A",
            "sessions_today": [{"session_id": "session-41", "kind": "practice", "minutes": 90, "present": 9,
                                "expected": 10}],
            "children": [
                {
                    "child_id": "child-092-0001",
                    "age": 7,
                    "last_contact": "2026-10-01",
                    "days_since_contact": 5,
                    "attendance_last_4_weeks": "7/8",
                    "attendance_trend": "up",
                    "open_goals": 2,
                    "reviews_due": ["goal-1"],
                    "waves_due": [{"instrument": "sdq", "informant": "teacher", "wave": "plus_1y",
                                   "due_from": "2026-08-20", "overdue": False}],
                    "consents_in_force": ["participation", "thl_research"],
                }
            ],
        }
    ],
    "own_notification_markers": [{"marker_id": "marker-5d1e", "child_id": "child-092-0001",
                                  "filed_on": "2026-09-08", "county_code": "04", "channel": "phone"}],
}

TEAM_OVERVIEW = {
    "team_id": "team-092-2019-a",
    "no_contact_days": 30,
    "children": [{"child_id": "child-092-0001", "last_30_days": 3, "last_90_days": 11,
                  "last_contact": "2026-10-01", "no_contact_in_period": False}],
    "without_contact": 0,
    "time_split": [{"mentor_id": "mentor-092-0001", "weeks": 8,
                    "minutes": {"school": 4800, "team": 4300, "individual_and_family": 5100, "administration": 1900},
                    "shares": {"school": 0.338, "team": 0.303, "individual_and_family": 0.359},
                    "within_norm": True, "off_norm": []}],
    "assessment_coverage": [{"instrument": "sdq", "informant": "parent", "wave": "baseline", "children": 9}],
}

MUNICIPALITY_OUTCOMES = {
    "municipality_code": "092",
    "first": "2026-01-01",
    "last": "2026-12-31",
    "suppress_below": 5,
    "teams": [
        {"team_id": "team-092-2019-a", "name": "Vantaa 2019 A", "children": 18, "attendance_rate": 0.86,
         "contacts_per_child_per_month": 6.4, "child_feedback_mean": 4.4, "guardian_feedback_mean": 4.2,
         "suppressed": False},
        {"team_id": "team-092-2021-a", "name": "Vantaa 2021 A", "children": None, "attendance_rate": None,
         "contacts_per_child_per_month": None, "child_feedback_mean": None, "guardian_feedback_mean": None,
         "suppressed": True},
    ],
}

FAMILY_VIEW = {
    "child_id": "child-092-0001",
    "goals": [{"area": "school_attendance", "wording": "Gets to school on time four mornings a week",
               "set_on": "2026-09-01", "target_on": "2026-12-18", "status": "open", "ratings": [3, 4]}],
}
