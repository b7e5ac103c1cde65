"""Facts and commands for the case log's tests: team A of Vantaa (092), its mentors and children."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from rinnalla_caselog.domain import contact as ct
from rinnalla_caselog.domain.roster import Author, ChildFacts, Membership, MentorTerm, Period, TeamFacts

TEAM_A = "team-092-a"
TEAM_B = "team-092-b"
TEAM_H = "team-109-a"
AINO = "mentor-aino"  # team A's first mentor, hands over to Ville on 2027-01-01
VILLE = "mentor-ville"
JUHO = "mentor-juho"  # team B's mentor
HANDOVER = date(2027, 1, 1)
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)

AINO_WRITES = Author(AINO)
VILLE_WRITES = Author(VILLE)
JUHO_WRITES = Author(JUHO)
COORDINATOR = Author("coordinator-092", coordinator=True, tenants=frozenset({"092"}))
OTHER_COORDINATOR = Author("coordinator-109", coordinator=True, tenants=frozenset({"109"}))

TEAMS = {
    TEAM_A: TeamFacts(TEAM_A, "092", "04", "Vantaa A", (
        MentorTerm(AINO, "lead", Period(date(2025, 8, 1), HANDOVER)),
        MentorTerm(VILLE, "lead", Period(HANDOVER)),
    )),
    TEAM_B: TeamFacts(TEAM_B, "092", "04", "Vantaa B", (MentorTerm(JUHO, "lead", Period(date(2025, 8, 1))),)),
    TEAM_H: TeamFacts(TEAM_H, "109", "08", "Hämeenlinna A", ()),
}


def child(
    child_id: str = "child-092-0001", team: str = TEAM_A, joined: date = date(2025, 8, 20), left: date | None = None,
    born: date | None = date(2019, 5, 3), ended_on: date | None = None, ended_because: str = "",
) -> ChildFacts:
    return ChildFacts(child_id, born, (Membership(team, Period(joined, left)),), ended_on, ended_because)


def contact_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_id": "contact-1",
        "on": date(2027, 2, 20),
        "minutes": 45,
        "setting": "home_visit_or_family_meeting",
        "participants": ("guardian",),
        "children": ({"child_id": "child-092-0001", "note": "talked about mornings",
                      "outcome_areas": ("school_attendance",)},),
        "at": NOW,
    }
    body.update(overrides)
    return body


def record(**overrides: Any) -> ct.RecordContact:
    return ct.RecordContact.model_validate(contact_body(**overrides))


def correct(reason: str = "wrong length", **overrides: Any) -> ct.CorrectContact:
    return ct.CorrectContact.model_validate({**contact_body(**overrides), "reason": reason})
