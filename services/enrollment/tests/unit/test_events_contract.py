"""Every event is a stable, typed, serialisable contract with correctly marked personal data."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from enrollment_builders import guardian, hetu_for
from pydantic import BaseModel
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.values import School
from rinnalla_events import DomainEvent, Personal, personal_fields


def _nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for info in model.model_fields.values():
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found.append(arg)
    return found


def _personal_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, marker in personal_fields(model).items():
        assert isinstance(marker, Personal)
        assert model.model_fields[name].annotation is str, f"{model.__name__}.{name} must be str"
        paths.add(prefix + name)
    for nested in _nested_models(model):
        paths |= _personal_paths(nested, f"{prefix}{nested.__name__}.")
    return paths


def test_event_types_are_unique_dotted_and_past_tense() -> None:
    names = [cls.event_type for cls in e.ALL_EVENTS]
    assert len(names) == len(set(names))
    for cls in e.ALL_EVENTS:
        assert issubclass(cls, DomainEvent)
        assert cls.event_type == f"enrollment.{cls.__name__}"
        words = re.findall(r"[A-Z][a-z]*", cls.__name__)
        assert any(w.endswith("ed") or w in {"Left", "Chosen", "Given", "Withdrawn"} for w in words), cls.__name__
        assert cls.schema_version >= 1


def test_every_event_class_is_listed_for_the_registry() -> None:
    defined = {
        v for v in vars(e).values() if isinstance(v, type) and issubclass(v, DomainEvent) and v is not DomainEvent
    }
    assert defined == set(e.ALL_EVENTS)


def test_personal_data_is_marked_and_names_its_subject() -> None:
    assert _personal_paths(e.ChildEnrolled) == {
        "given_names",
        "family_name",
        "hetu",
        "date_of_birth",
        "Guardian.given_names",
        "Guardian.family_name",
        "Guardian.phone",
        "Guardian.email",
        "Guardian.custody_basis",
        "Guardian.language",
    }
    assert _personal_paths(e.ChildNominated) == {
        "preschool_reference",
        "given_names",
        "family_name",
        "date_of_birth",
        "reasons",
    }
    assert _personal_paths(e.ChildPermanentIdentityCodeRecorded) == {"hetu", "date_of_birth"}
    for cls in e.ALL_EVENTS:
        _personal_paths(cls)  # raises if a marker names a missing field or a field is not a string


FREE_TEXT_OF_RECORDS = {
    e.PartnershipNegotiationFailed: {"reason"},
    e.PartnershipEnded: {"reason"},
    e.TeamTerminated: {"details"},
}


def test_team_and_partnership_events_carry_no_personal_data_but_the_mentors_contact_and_free_text() -> None:
    for cls in (*e.TEAM_EVENTS, *e.PARTNERSHIP_EVENTS):
        if cls is e.MentorAssigned:
            # Encrypted with the mentor's key (`mentor_id`), like a guardian's contact with the guardian's.
            assert _personal_paths(cls) == {"contact_name", "contact_phone", "contact_email"}
            assert {m.subject_field for m in personal_fields(cls).values()} == {"mentor_id"}
            continue
        if cls in FREE_TEXT_OF_RECORDS:
            # Free text is personal by default: encrypted with the record's own key (`record_id`).
            assert _personal_paths(cls) == FREE_TEXT_OF_RECORDS[cls]
            assert {m.subject_field for m in personal_fields(cls).values()} == {"record_id"}
            continue
        assert not _personal_paths(cls), cls.__name__


@pytest.mark.parametrize(
    "event",
    [
        e.ChildEnrolled(
            child_id="c",
            team_id="t",
            enrolled_on=date(2025, 8, 11),
            given_names="Eetu",
            family_name="Virtanen",
            hetu=hetu_for(date(2018, 3, 15)),
            date_of_birth="2018-03-15",
            guardians=(guardian(),),
            school=School(name="Hakunilan koulu"),
            class_name="1B",
            consent_id="k",
            at=datetime(2025, 6, 1, tzinfo=UTC),
        ),
        e.FundingCommitted(team_id="t", year=2025, source="municipality", funder="092", amount_eur="25000.00"),
    ],
)
def test_events_survive_a_json_round_trip(event: DomainEvent) -> None:
    payload: dict[str, Any] = event.model_dump(mode="json")
    assert type(event).model_validate(payload) == event


def test_events_are_immutable() -> None:
    event = e.TeamActivated(team_id="t", activated_on=date(2025, 8, 11))
    with pytest.raises(ValueError, match="frozen"):
        event.team_id = "other"  # type: ignore[misc]
