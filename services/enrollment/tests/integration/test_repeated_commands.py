"""Every command sent twice (two idempotency keys, the same valid body) never answers 5xx.

The first answer is 2xx; the second is 2xx (nothing left to change: no events) or a domain refusal
(4xx), because sending the same change again is an ordinary thing for a person to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from enrollment_scenario import (
    FORM,
    IN_PERSON,
    OTHER_TEAM,
    PARTNERSHIP,
    SCHOOL,
    TEAM,
    enrolment,
    guardian,
    selected_child,
)
from rinnalla_enrollment.adapters.http import ROUTES

pytestmark = pytest.mark.integration


@dataclass
class Twice:
    api: Any
    sent: set[str] = field(default_factory=set)
    answers: list[tuple[str, int, int, str]] = field(default_factory=list)

    async def __call__(self, route: str, body: dict[str, Any], **ids: str) -> Any:
        """Send the command to `route` (a path template of ROUTES) twice, each time with a new key."""
        path = route.format(**ids)
        first = await self.api.command(path, body)
        assert 200 <= first.status_code < 300, (path, first.text)
        second = await self.api.command(path, body)
        self.sent.add(route)
        self.answers.append((path, first.status_code, second.status_code, second.text))
        return second


async def test_every_command_sent_twice_answers_without_a_server_error(api):
    twice = Twice(api)
    partnership, team, child = "/partnerships/{partnership_id}", "/teams/{team_id}", "/children/{child_id}"

    await twice(partnership, {"municipality_code": "092", "opened_on": "2025-01-15"}, partnership_id=PARTNERSHIP)
    await twice(f"{partnership}/agreement", {"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"},
                partnership_id=PARTNERSHIP)
    await twice(f"{partnership}/cost-sharing", {"agreed_on": "2025-03-01", "valid_from": "2025-08-01", "payers": [
        {"kind": "municipality", "code": "092", "share_basis_points": 5000},
        {"kind": "wellbeing_services_county", "code": "04", "share_basis_points": 5000},
    ]}, partnership_id=PARTNERSHIP)
    for team_id in (TEAM, OTHER_TEAM):
        await twice(team, {
            "name": f"Vantaa {team_id[-1].upper()}", "municipality_code": "092", "area": "Hakunila",
            "main_school": SCHOOL, "cohort_birth_years": [2019], "founded_on": "2025-08-01",
            "partnership_id": PARTNERSHIP,
        }, team_id=team_id)
    await twice(f"{team}/mentors", {"mentor_id": "user-mentor.vantaa", "starts_on": "2025-08-01"}, team_id=TEAM)
    await twice(f"{team}/mentors", {"mentor_id": "mentor-b", "starts_on": "2025-08-01"}, team_id=OTHER_TEAM)

    # One child through selection and the consent register; another selected by the scenario helper.
    nominee = "child-0099"
    first = await selected_child(api, 1)
    await twice(f"{child}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05", "preschool": {"name": "Esikoulu"},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": "esiopetus-99", "cohort_year": 2019,
    }, child_id=nominee)
    await twice(f"{child}/guardians-informed", {
        "guardians": [guardian(99)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": "Lapsi", "family_name": "Esimerkki", "date_of_birth": "2019-04-02"},
    }, child_id=nominee)
    await twice(f"{child}/guardians", {"guardians": [guardian(99), guardian(98)]}, child_id=nominee)
    await twice(f"{child}/selection", {"team_id": TEAM, "decided_on": "2025-08-12"}, child_id=nominee)
    await twice(f"{child}/consents", {"consent_id": "consent-photos-99", "subject_id": nominee, "purpose": "photos",
                                      "signed_by": "guardian-99", "evidence": FORM}, child_id=nominee)
    await twice(f"{child}/consent-withdrawals",
                {"consent_id": "consent-photos-99", "signed_by": "guardian-99", "evidence": FORM}, child_id=nominee)
    await twice(f"{child}/consent-refusals",
                {"subject_id": nominee, "purpose": "photos", "signed_by": "guardian-99", "evidence": FORM},
                child_id=nominee)
    await twice(f"{child}/understanding-assessments",
                {"purpose": None, "understands": True}, child_id=nominee)
    await twice(f"{child}/custody-exceptions", {
        "exception_id": "custody-99", "guardian_id": "guardian-99", "kind": "sole_custody",
        "basis": "court decision 1.2.2024",
    }, child_id=nominee)
    await twice(f"{child}/hearings", {"heard_on": "2025-08-10", "child_view": "agrees"}, child_id=nominee)
    repeated = await twice(f"{child}/prohibitions", {"purpose": "sharing_with_school", "evidence": IN_PERSON},
                           child_id=nominee)
    assert repeated.status_code == 200 and repeated.json()["events"] == []  # already in force: nothing to add
    await twice(f"{child}/prohibition-lifts", {"purpose": "sharing_with_school", "evidence": IN_PERSON},
                child_id=nominee)

    # Enrolment, a move to the other team, an exit; a second child joins.
    await twice(f"{child}/enrolment", enrolment(1), child_id=first)
    await twice(f"{child}/transfer", {"to_team_id": OTHER_TEAM, "transferred_on": "2026-01-10"}, child_id=first)
    await twice(f"{child}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"}, child_id=first)
    second = await selected_child(api, 2)
    without_code = enrolment(2)
    permanent = without_code["child"]["hetu"]
    without_code["child"]["hetu"] = ""  # a newly arrived child: the permanent code comes later
    await api.ok(f"/children/{second}/enrolment", without_code)
    await twice(f"{child}/permanent-identity-code", {"hetu": permanent}, child_id=second)
    await twice(f"{child}/school", {"school": {"name": "Hakunilan koulu"}, "class_name": "1A",
                                     "changed_on": "2026-08-10"}, child_id=second)

    # The children who were not chosen.
    await selected_child_without_selection(api, 3)
    await twice(f"{child}/waitlisting", {"team_id": TEAM, "decided_on": "2025-08-12"}, child_id="child-0003")
    await selected_child_without_selection(api, 4)
    await twice(f"{child}/non-selection", {"decided_on": "2025-08-12", "reason": "guardians declined"},
                child_id="child-0004")

    # The team's own life: mentors come and go, school starts; the second child completes the programme.
    await twice(f"{team}/mentors", {"mentor_id": "mentor-c", "role": "resource", "starts_on": "2025-09-01"},
                team_id=TEAM)
    await twice(f"{team}/mentor-handovers", {"outgoing_mentor_id": "user-mentor.vantaa",
                                             "incoming_mentor_id": "mentor-d", "handed_over_on": "2026-06-30"},
                team_id=TEAM)
    await twice(f"{team}/mentor-departures", {"mentor_id": "mentor-c", "left_on": "2026-06-30"}, team_id=TEAM)
    await twice(f"{team}/activation", {"activated_on": "2026-08-10"}, team_id=TEAM)
    await twice(f"{child}/completion", {"completed_on": "2035-05-31", "outcome": "further_studies_started"},
                child_id=second)
    await twice(f"{child}/follow-up", {"started_on": "2035-06-01"}, child_id=second)
    await twice(f"{team}/sport", {"sport": "floorball", "chosen_on": "2026-09-01"}, team_id=TEAM)
    await twice(f"{team}/schools", {"main_school": SCHOOL, "other_schools": [{"name": "Länsimäen koulu"}]},
                team_id=TEAM)
    await twice(f"{team}/max-size", {"max_size": 22}, team_id=TEAM)
    await twice(f"{team}/funding", {"year": 2026, "source": "municipality", "amount_eur": "30000.00"}, team_id=TEAM)
    await twice(f"{team}/termination", {"terminated_on": "2027-06-30", "reason": "too_few_children"},
                team_id=OTHER_TEAM)
    await twice(f"{team}/completion", {"completed_on": "2038-07-31"}, team_id=TEAM)

    # The partnership's own life: the county changes, the agreement ends; another's negotiations fail.
    await twice(f"{partnership}/county-counterpart", {"county_code": "01", "changed_on": "2027-01-01"},
                partnership_id=PARTNERSHIP)
    await twice(f"{partnership}/ending", {"ended_on": "2038-07-31", "reason": "the teams completed"},
                partnership_id=PARTNERSHIP)
    await api.ok("/partnerships/partnership-092-b", {"municipality_code": "092", "opened_on": "2025-01-15"})
    await twice(f"{partnership}/negotiation-failure", {"failed_on": "2025-04-30", "reason": "no budget"},
                partnership_id="partnership-092-b")

    assert twice.sent == {route.path for route in ROUTES}, "every command endpoint is sent twice"
    server_errors = [answer for answer in twice.answers if answer[2] >= 500]
    assert server_errors == []
    assert all(200 <= second < 300 or 400 <= second < 500 for _, _, second, _ in twice.answers), twice.answers


async def selected_child_without_selection(api: Any, n: int) -> None:
    child_id = f"child-{n:04d}"
    await api.ok(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05", "preschool": {"name": "Esikoulu"},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": f"esiopetus-{n}", "cohort_year": 2019,
    })
    await api.ok(f"/children/{child_id}/guardians-informed", {
        "guardians": [guardian(n)], "informed_on": "2025-08-08",
        "child": {"given_names": f"Lapsi{n}", "family_name": "Esimerkki", "date_of_birth": "2019-05-03"},
        "reasons": ["no_other_hobby"],
    })
