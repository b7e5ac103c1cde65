"""The retention policy, pure: who is due for erasure on a day, from the children's latest status events."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rinnalla_enrollment.application.ports import ChildStatusFacts
from rinnalla_enrollment.application.retention_policy import due_erasures
from rinnalla_security import RetentionSettings
from rinnalla_security.retention import RetentionPolicy, UnknownRetentionClass

DEFAULTS = RetentionPolicy.default()


def child(n: int, event: str, guardians: tuple[str, ...] = (), tenant: str = "092", **payload: Any) -> ChildStatusFacts:
    return ChildStatusFacts(
        child_id=f"child-{n}",
        tenant=tenant,
        status_event=f"enrollment.{event}",
        status_payload=payload,
        guardian_ids=frozenset(guardians),
    )


def declined(n: int, decided_on: str, *guardians: str) -> ChildStatusFacts:
    return child(n, "ChildNotSelected", guardians, decided_on=decided_on)


def who(due: list[Any]) -> list[tuple[str, str]]:
    return [(d.subject_kind, d.subject_id) for d in due]


def test_a_declined_nomination_is_kept_six_months_from_the_decision() -> None:
    children = [declined(1, "2025-08-12", "g-1")]

    day_before = due_erasures(children, frozenset(), today=date(2026, 2, 11), policy=DEFAULTS)
    on_the_day = due_erasures(children, frozenset(), today=date(2026, 2, 12), policy=DEFAULTS)

    assert day_before == []
    assert who(on_the_day) == [("child", "child-1"), ("guardian", "g-1")]
    assert on_the_day[0].retention_class == "declined_nomination"
    assert on_the_day[0].due_on == date(2026, 2, 12)
    assert on_the_day[0].tenant == "092"
    assert "2025-08-12" in on_the_day[0].reason
    assert on_the_day[1].reason.startswith("guardian of children whose records are erased only; last: ")


@pytest.mark.parametrize(
    ("event", "field"), [("ChildExited", "exited_on"), ("ChildCompletedProgramme", "completed_on")]
)
def test_a_former_participant_is_kept_five_years_from_leaving(event: str, field: str) -> None:
    children = [child(1, event, ("g-1",), **{field: "2026-02-01"})]

    assert due_erasures(children, frozenset(), today=date(2031, 1, 31), policy=DEFAULTS) == []
    due = due_erasures(children, frozenset(), today=date(2031, 2, 1), policy=DEFAULTS)
    assert [(d.subject_id, d.retention_class) for d in due] == [
        ("child-1", "programme_record"),
        ("g-1", "programme_record"),
    ]


@pytest.mark.parametrize("event", ["ChildEnrolled", "ChildTransferred"])
def test_a_child_in_the_programme_is_kept_however_late_it_is(event: str) -> None:
    assert due_erasures([child(1, event, ("g-1",))], frozenset(), today=date(2099, 1, 1), policy=DEFAULTS) == []


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ("ChildNominated", "nominated_on"),
        ("GuardiansInformed", "informed_on"),
        ("ChildSelected", "decided_on"),
        ("ChildWaitlisted", "decided_on"),
    ],
)
def test_a_nomination_that_led_to_no_enrolment_is_kept_six_months_from_its_last_step(event: str, field: str) -> None:
    children = [child(1, event, ("g-1",), **{field: "2025-08-12"})]

    assert due_erasures(children, frozenset(), today=date(2026, 2, 11), policy=DEFAULTS) == []
    due = due_erasures(children, frozenset(), today=date(2026, 2, 12), policy=DEFAULTS)
    assert [(d.subject_id, d.retention_class) for d in due] == [
        ("child-1", "declined_nomination"),
        ("g-1", "declined_nomination"),
    ]


def test_a_child_under_the_research_follow_up_is_kept_five_years_from_its_end() -> None:
    children = [child(1, "ChildFollowUpStarted", ("g-1",), started_on="2036-06-01", follow_up_until="2038-03-15")]

    assert due_erasures(children, frozenset(), today=date(2043, 3, 14), policy=DEFAULTS) == []
    due = due_erasures(children, frozenset(), today=date(2043, 3, 15), policy=DEFAULTS)
    assert [(d.subject_id, d.retention_class) for d in due] == [
        ("child-1", "programme_record"),
        ("g-1", "programme_record"),
    ]


def test_a_guardian_with_a_child_still_kept_is_kept() -> None:
    children = [declined(1, "2025-01-01", "g-1"), child(2, "ChildEnrolled", ("g-1", "g-2"))]

    due = due_erasures(children, frozenset(), today=date(2026, 1, 1), policy=DEFAULTS)

    assert who(due) == [("child", "child-1")]


def test_a_guardian_goes_with_the_last_of_their_children_dated_by_the_latest() -> None:
    children = [declined(1, "2024-01-01", "g-1"), declined(2, "2024-03-01", "g-1", "g-2")]

    due = due_erasures(children, frozenset(), today=date(2025, 1, 1), policy=DEFAULTS)

    assert who(due) == [("child", "child-1"), ("child", "child-2"), ("guardian", "g-1"), ("guardian", "g-2")]
    assert [d.due_on for d in due if d.subject_id == "g-1"] == [date(2024, 9, 1)]


def test_a_guardian_erased_before_is_not_erased_again() -> None:
    due = due_erasures([declined(1, "2024-01-01", "g-1")], frozenset({"g-1"}), today=date(2025, 1, 1), policy=DEFAULTS)

    assert who(due) == [("child", "child-1")]


def test_the_periods_come_from_the_policy_given() -> None:
    shorter = RetentionSettings(periods={"declined_nomination": "P1M"}).policy()

    due = due_erasures([declined(1, "2025-08-12")], frozenset(), today=date(2025, 9, 12), policy=shorter)

    assert who(due) == [("child", "child-1")]
    assert due[0].reason.startswith("declined_nomination: kept 1 month")


def test_a_policy_without_the_class_refuses_to_guess() -> None:
    policy = RetentionPolicy({})

    with pytest.raises(UnknownRetentionClass):
        due_erasures([declined(1, "2025-08-12")], frozenset(), today=date(2030, 1, 1), policy=policy)
