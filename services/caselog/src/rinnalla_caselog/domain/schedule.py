"""What is due for a child: assessment waves and goal reviews (pure, from what was recorded).

Waves are counted from the child's enrolment: the baseline SDQ (parent and teacher forms) in the first
three months, the follow-ups one and four years on (each due from its anniversary for three months, and
overdue after), and the annual feedback surveys of the child and the guardians once per calendar year from
the child's first full year. An open goal is due for review 90 days after it was set or last reviewed, or
from two weeks before its target date.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from rinnalla_caselog.domain.roster import age_on

REVIEW_EVERY = timedelta(days=90)
REVIEW_BEFORE_TARGET = timedelta(days=14)
SDQ_FORMS = ("parent", "teacher")


@dataclass(frozen=True)
class Due:
    instrument: str
    informant: str
    wave: str
    """baseline, plus_1y, plus_4y or annual-<year>"""
    due_from: date
    overdue: bool


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def waves_due(
    enrolled_on: date, today: date, recorded: Collection[tuple[str, str, str]], born_on: date | None = None
) -> list[Due]:
    """The assessments due or overdue today; `recorded` holds (instrument, informant, wave key)."""
    due: list[Due] = []
    for wave, start in (("baseline", enrolled_on), ("plus_1y", _anniversary(enrolled_on, 1)),
                        ("plus_4y", _anniversary(enrolled_on, 4))):
        if today < start:
            continue
        for informant in SDQ_FORMS:
            if ("sdq", informant, wave) not in recorded:
                due.append(Due("sdq", informant, wave, start, today > start + timedelta(days=90)))
    if today.year > enrolled_on.year:
        wave = f"annual-{today.year}"
        start = date(today.year, 1, 1)
        surveys = [("feedback_guardian", "parent")]
        if born_on is None or age_on(born_on, today) >= 6:
            surveys.append(("feedback_child", "self"))
        for instrument, informant in surveys:
            if (instrument, informant, wave) not in recorded:
                due.append(Due(instrument, informant, wave, start, False))
    return due


def review_due(set_on: date, last_reviewed_on: date | None, target_on: date, today: date) -> bool:
    last = last_reviewed_on or set_on
    return today >= last + REVIEW_EVERY or today >= target_on - REVIEW_BEFORE_TARGET


def trend(recent: tuple[int, int], earlier: tuple[int, int]) -> str | None:
    """"up", "down" or "steady" between two periods of (present, expected); None without both."""
    if recent[1] == 0 or earlier[1] == 0:
        return None
    change = recent[0] / recent[1] - earlier[0] / earlier[1]
    if change > 0.1:
        return "up"
    if change < -0.1:
        return "down"
    return "steady"
