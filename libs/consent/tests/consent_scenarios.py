"""Builders for consent histories used by the tests: one child, two guardians, times in days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rinnalla_consent import (
    ConsentFact,
    ConsentGiven,
    ConsentView,
    GuardiansChanged,
    Purpose,
    SubjectKind,
    SubjectRegistered,
    fold,
)

CHILD = "child-1"
MOTHER = "guardian-a"
FATHER = "guardian-b"
START = datetime(2025, 8, 1, 9, 0, tzinfo=UTC)
BIRTHDAY_18 = date(2037, 3, 1)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def family(*guardians: str) -> list[ConsentFact]:
    return [
        SubjectRegistered(subject_id=CHILD, kind=SubjectKind.CHILD, at=day(0), comes_of_age_on=BIRTHDAY_18),
        GuardiansChanged(subject_id=CHILD, guardian_ids=frozenset(guardians or (MOTHER, FATHER)), at=day(0)),
    ]


def given(
    consent_id: str, by: str, at: float, purpose: Purpose = Purpose.SHARING_WITH_SCHOOL, **kw: object
) -> ConsentGiven:
    return ConsentGiven.model_validate(
        {"consent_id": consent_id, "subject_id": CHILD, "purpose": purpose, "given_by": by, "at": day(at), **kw}
    )


def view_of(*facts: ConsentFact) -> ConsentView:
    """A child with one guardian (the mother)."""
    return fold([*family(MOTHER), *facts])


def joint_view_of(*facts: ConsentFact) -> ConsentView:
    """A child with two guardians in joint custody."""
    return fold([*family(), *facts])
