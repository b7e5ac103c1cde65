"""Builders for the enrollment unit tests: a forming team in Vantaa and children born in 2018."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from rinnalla_consent import Purpose
from rinnalla_enrollment.domain import child, team
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.consent_records import ChildView, ConsentEvidence, ConsentMethod
from rinnalla_enrollment.domain.team import TeamState
from rinnalla_enrollment.domain.values import ExitReason, Guardian, NominatingRole, NominationReason, School
from rinnalla_events import DomainEvent, StreamEvents

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ENROL_AT = datetime(2025, 8, 11, 12, 0, tzinfo=UTC)  # the enrolment is recorded on the day
TEAM = "team-hakunila-2024"
OTHER_TEAM = "team-hakunila-2022"
SCHOOL = School(name="Hakunilan koulu", code="12345")
BORN = date(2018, 3, 15)
FOUNDED = date(2024, 8, 1)
ENROLLED = date(2025, 8, 11)
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
S = TypeVar("S")

OWN_WORD = ConsentEvidence(method=ConsentMethod.ELECTRONIC, information_version="info-1")
IN_PERSON = ConsentEvidence(method=ConsentMethod.IN_PERSON, information_version="info-1", document_reference="forms/1")


def hetu_for(born: date, individual: int = 123, sign: str | None = None) -> str:
    sign = sign or {18: "+", 19: "-", 20: "A"}[born.year // 100]
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def guardian(guardian_id: str = "g-1", **changes: Any) -> Guardian:
    values = {
        "guardian_id": guardian_id,
        "given_names": "Aino",
        "family_name": "Virtanen",
        "phone": "+358 40 123 4567",
        "email": "aino@example.fi",
    }
    return Guardian.model_validate({**values, **changes})


def run(
    decide: Callable[[S, Any], list[DomainEvent]], evolve: Callable[[S, DomainEvent], S], state: S, *commands: Any
) -> tuple[S, list[DomainEvent]]:
    """Decide and fold each command in turn; the events of the last one are returned."""
    events: list[DomainEvent] = []
    for command in commands:
        events = decide(state, command)
        for event in events:
            state = evolve(state, event)
    return state, events


def fold_team(state: TeamState, *commands: c.TeamCommand) -> TeamState:
    return run(team.decide, team.evolve, state, *commands)[0]


def fold_child(state: ChildState, *commands: c.ChildCommand) -> ChildState:
    return run(child.decide, child.evolve, state, *commands)[0]


def events_for(changes: Iterable[StreamEvents], stream_type: str, stream_id: str) -> tuple[DomainEvent, ...]:
    return next((s.events for s in changes if (s.stream_type, s.stream_id) == (stream_type, stream_id)), ())


def found(team_id: str = TEAM, max_size: int = 25, founded_on: date = FOUNDED, **changes: Any) -> c.FoundTeam:
    values: dict[str, Any] = {
        "team_id": team_id,
        "name": "Icehearts Hakunila 2024",
        "municipality_code": "092",
        "area": "Hakunila",
        "main_school": SCHOOL,
        "cohort_birth_years": (2018,),
        "founded_on": founded_on,
        "max_size": max_size,
    }
    return c.FoundTeam.model_validate({**values, **changes})


def forming_team(team_id: str = TEAM, max_size: int = 25) -> TeamState:
    return fold_team(
        team.initial(),
        found(team_id, max_size),
        c.AssignMentor(team_id=team_id, mentor_id="mentor-1", starts_on=FOUNDED),
    )


def join(child_id: str, team_id: str = TEAM, born: date = BORN, on: date = ENROLLED) -> c.JoinTeam:
    return c.JoinTeam(team_id=team_id, child_id=child_id, joined_on=on, date_of_birth=born)


def active_team(team_id: str = TEAM, children: int = 1, max_size: int = 25) -> TeamState:
    state = fold_team(
        forming_team(team_id, max_size), *(join(f"{team_id}-child-{i}", team_id) for i in range(children))
    )
    return fold_team(state, c.ActivateTeam(team_id=team_id, activated_on=ENROLLED))


def nominate(
    child_id: str = "child-1", born: date = BORN, on: date = date(2024, 10, 1), **changes: Any
) -> c.NominateChild:
    values: dict[str, Any] = {
        "child_id": child_id,
        "municipality_code": "092",
        "team_id": TEAM,
        "preschool": {"name": "Hakunilan esikoulu", "code": "12345"},
        "preschool_reference": "esiopetus-2024-07",
        "cohort_year": born.year,
        "nominated_on": on,
        "nominated_by": (NominatingRole.PRESCHOOL, NominatingRole.SOCIAL_SERVICES),
        "at": AT,
    }
    return c.NominateChild.model_validate({**values, **changes})


def inform(child_id: str = "child-1", *guardians: Guardian, born: date = BORN, **changes: Any) -> c.InformGuardians:
    values: dict[str, Any] = {
        "child_id": child_id,
        "guardians": guardians or (guardian(),),
        "informed_on": date(2024, 10, 15),
        "child": {"given_names": "Eetu Juhani", "family_name": "Virtanen", "date_of_birth": born},
        "reasons": (NominationReason.SHY_OR_WITHDRAWN, NominationReason.NO_OTHER_HOBBY),
        "at": AT,
    }
    return c.InformGuardians.model_validate({**values, **changes})


def consent(
    child_id: str = "child-1", by: str = "g-1", consent_id: str = "consent-1", purpose: Purpose = Purpose.PARTICIPATION
) -> c.GiveConsent:
    return c.GiveConsent(
        child_id=child_id,
        consent_id=consent_id,
        subject_id=child_id,
        purpose=purpose,
        given_by=by,
        recorded_by=by,
        evidence=OWN_WORD,
        at=AT,
    )


def hearing(child_id: str = "child-1") -> c.RecordChildHearing:
    return c.RecordChildHearing(
        child_id=child_id, heard_on=date(2024, 10, 20), child_view=ChildView.AGREES, heard_by="mentor-1", at=AT
    )


def select(child_id: str = "child-1", team_id: str = TEAM) -> c.SelectChild:
    return c.SelectChild(child_id=child_id, team_id=team_id, decided_on=date(2025, 5, 1))


def enrol(child_id: str = "child-1", born: date = BORN, team_id: str = TEAM, **changes: Any) -> c.EnrolChild:
    values: dict[str, Any] = {
        "child_id": child_id,
        "team_id": team_id,
        "enrolled_on": ENROLLED,
        "child": {
            "given_names": "Eetu Juhani",
            "family_name": "Virtanen",
            "hetu": hetu_for(born),
            "date_of_birth": born,
        },
        "guardians": (guardian(),),
        "school": SCHOOL,
        "class_name": "1B",
        "at": ENROL_AT,
    }
    return c.EnrolChild.model_validate({**values, **changes})


def exit_(
    child_id: str = "child-1", reason: ExitReason = ExitReason.MOVED_AWAY, on: date = date(2026, 5, 31)
) -> c.ExitChild:
    return c.ExitChild(
        child_id=child_id, exited_on=on, reason=reason, at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    )


def selected_child(child_id: str = "child-1", born: date = BORN, with_consent: bool = True) -> ChildState:
    steps: list[c.ChildCommand] = [nominate(child_id, born), inform(child_id, born=born)]
    if with_consent:
        steps.append(consent(child_id))
    steps.append(select(child_id))
    return fold_child(child.initial(), *steps)


def enrolled_child(child_id: str = "child-1", team_id: str = TEAM) -> ChildState:
    state = selected_child(child_id)
    return fold_child(state, enrol(child_id, team_id=team_id))
