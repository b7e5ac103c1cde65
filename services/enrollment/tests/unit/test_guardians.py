"""Guardians: on what footing each decides for the child, and how to reach them (language, interpreter)."""

from __future__ import annotations

import pytest
from enrollment_builders import fold_child, guardian, inform, nominate
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.errors import InvalidValue
from rinnalla_enrollment.domain.values import CustodyKind, Guardian


def informed_with(*guardians: Guardian) -> list[e.GuardiansInformed]:
    events = child.decide(fold_child(child.initial(), nominate()), inform("child-1", *guardians))
    return [event for event in events if isinstance(event, e.GuardiansInformed)]


def test_a_guardian_records_joint_sole_or_foster_custody_and_the_language_with_an_interpreter() -> None:
    parents = (
        guardian("g-1", custody="joint"),
        guardian("g-2", custody="joint", interpreter_needed=True, language="so"),
    )
    (event,) = informed_with(*parents)
    assert [(g.custody, g.interpreter_needed, g.language) for g in event.guardians] == [
        (CustodyKind.JOINT, False, ""),
        (CustodyKind.JOINT, True, "so"),
    ]
    (foster,) = informed_with(guardian("g-3", custody="foster_carer"))
    assert foster.guardians[0].custody is CustodyKind.FOSTER_CARER


def test_other_custody_needs_its_basis() -> None:
    with pytest.raises(InvalidValue, match="on what basis") as caught:
        informed_with(guardian(custody="other"))
    assert caught.value.field == "guardians[0].custody_basis"
    (event,) = informed_with(guardian(custody="other", custody_basis="district court decision 2024"))
    assert event.guardians[0].custody is CustodyKind.OTHER


def test_an_interpreter_needs_a_language_given_as_a_code() -> None:
    with pytest.raises(InvalidValue, match="which language") as caught:
        informed_with(guardian(interpreter_needed=True))
    assert caught.value.field == "guardians[0].language"
    with pytest.raises(InvalidValue, match="ISO 639") as caught:
        informed_with(guardian(language="Somali"))
    assert caught.value.field == "guardians[0].language"


def test_a_guardian_recorded_before_custody_kinds_reads_as_not_recorded() -> None:
    assert guardian().custody is None
