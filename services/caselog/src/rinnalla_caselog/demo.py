"""The demo data set: the first two school years of the Vantaa demo team (team-092-2019-a, the enrollment
demo's team A, led by the demo mentor since 2025-08-01, children child-092-0001..0010 enrolled on
2025-08-20): weekly practices and afternoon clubs with attendance, contacts with each child, goals with
reviews, the mentor's administration time, and two SDQ waves (baseline and one year on). Nothing is dated
after today. Every note is invented. Loading twice changes nothing: every command has a fixed idempotency
key.

The stack loads demo data right after migrating, before any worker has projected enrollment's demo events
into the roster, so the demo writes against a roster of its own that mirrors the enrollment demo's team.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from opentelemetry import trace
from pydantic import BaseModel
from rinnalla_events import EventMetadata, Idempotency, Outcome, fingerprint

from rinnalla_caselog.application import handlers as h
from rinnalla_caselog.application.ports import Roster
from rinnalla_caselog.bootstrap import Caselog
from rinnalla_caselog.domain import assessment as a
from rinnalla_caselog.domain import contact as ct
from rinnalla_caselog.domain import goal as g
from rinnalla_caselog.domain import session as s
from rinnalla_caselog.domain import worktime as w
from rinnalla_caselog.domain.roster import Author, ChildFacts, Membership, MentorTerm, Period, TeamFacts
from rinnalla_caselog.domain.values import SERVICE_TIME_ZONE, OutcomeArea, Setting, service_day

ACTOR = "system:demo-data"
TEAM = "team-092-2019-a"
MENTOR = "user-mentor.vantaa"
ENROLLED = date(2025, 8, 20)
CHILDREN = [f"child-092-{n:04d}" for n in range(1, 11)]
MENTOR_WRITES = Author(MENTOR)

Handler = Callable[[Any, Roster, Author, Any], Awaitable[Outcome]]


def born(n: int) -> date:
    """The enrollment demo's dates of birth."""
    special = {1: date(2019, 11, 20), 2: date(2019, 1, 10), 3: date(2019, 12, 4)}
    return special.get(n, date(2019, 1 + (n % 6), 1 + n))


class DemoRoster:
    """The `Roster` port over the enrollment demo's team A, as the roster shows it once projected."""

    def __init__(self) -> None:
        self._team = TeamFacts(TEAM, "092", "04", "Vantaa 2019 A",
                               (MentorTerm(MENTOR, "lead", Period(date(2025, 8, 1))),))
        self._children = {
            child: ChildFacts(child, born(n), (Membership(TEAM, Period(ENROLLED)),))
            for n, child in enumerate(CHILDREN, start=1)
        }

    async def children(self, child_ids: Iterable[str]) -> Mapping[str, ChildFacts]:
        return {c: self._children[c] for c in child_ids if c in self._children}

    async def teams(self, team_ids: Iterable[str]) -> Mapping[str, TeamFacts]:
        return {TEAM: self._team} if TEAM in set(team_ids) else {}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(16, 0), SERVICE_TIME_ZONE)


async def _run(caselog: Caselog, roster: Roster, key: str, handler: Handler, command: BaseModel) -> None:
    idempotency = Idempotency(f"{ACTOR}:{key}", fingerprint(command.model_dump(mode="json", exclude={"at"})))
    with trace.get_tracer(__name__).start_as_current_span(f"demo {type(command).__name__}"):
        writer = caselog.writer(EventMetadata(actor=ACTOR), idempotency)
        if await writer.previous() is None:
            await handler(writer, roster, MENTOR_WRITES, command)


NOTES = {
    Setting.CLASS_OR_LESSON: "Helped with reading in the small group.",
    Setting.WITH_TEACHER: "Agreed with the teacher on a calm corner for mornings.",
    Setting.ONE_TO_ONE: "Walked home together and talked about the week.",
    Setting.PHONE_OR_MESSAGE: "Called home about next week's game.",
    Setting.HOME_VISIT_OR_FAMILY_MEETING: "Visited the family; the morning routine is getting easier.",
    Setting.NETWORK_MEETING: "Took part in the school's support meeting.",
}
AREAS = list(OutcomeArea)


async def load_demo(caselog: Caselog) -> None:
    today = service_day(caselog.clock())
    last = min(today, ENROLLED + timedelta(days=2 * 365))
    roster = DemoRoster()
    rng = random.Random(2019)
    monday = ENROLLED - timedelta(days=ENROLLED.weekday())
    week = 0
    while monday <= last:
        week += 1
        await _week(caselog, roster, rng, monday, last, week)
        monday += timedelta(days=7)
    for wave, day in (("baseline", date(2025, 9, 15)), ("plus_1y", date(2026, 9, 15))):
        if day > today:
            continue
        for child in CHILDREN:
            for informant in ("parent", "teacher"):
                answers = tuple(rng.choice((0, 0, 1, 1, 2)) for _ in range(25))
                await _run(caselog, roster, f"sdq.{child}.{informant}.{wave}", h.record_assessment,
                           a.RecordAssessment(child_id=child, instrument="sdq", version=1, informant=informant,
                                              wave=a.Wave(wave), on=day, recorded_for=a.Register.RESEARCH,
                                              answers=answers, at=_at(day)))
    for n, child in enumerate(CHILDREN):
        goal_id = f"demo-goal-{child}"
        set_on = date(2025, 10, 1)
        if set_on > today:
            break
        await _run(caselog, roster, f"{goal_id}.set", h.set_goal, g.SetGoal(
            goal_id=goal_id, child_id=child, area=AREAS[n % len(AREAS)], wording="Demo goal agreed with the family",
            set_on=set_on, target_on=date(2026, 5, 29), at=_at(set_on)))
        for quarter, review_on in enumerate((date(2025, 12, 15), date(2026, 3, 16), date(2026, 5, 29))):
            if review_on > today:
                break
            status = g.GoalStatus.ACHIEVED if quarter == 2 and n % 3 else g.GoalStatus.OPEN
            await _run(caselog, roster, f"{goal_id}.review.{quarter}", h.review_goal, g.ReviewGoal(
                goal_id=goal_id, reviewed_on=review_on, rating=min(5, 2 + quarter + n % 2), status=status,
                note="Demo review", at=_at(review_on)))


async def _week(caselog: Caselog, roster: Roster, rng: random.Random, monday: date, last: date, week: int) -> None:
    school_break = monday.month == 7 or (monday.month == 12 and monday.day > 20)
    for offset, kind, minutes in ((1, s.SessionKind.PRACTICE, 90), (3, s.SessionKind.AFTERNOON_CLUB, 120)):
        day = monday + timedelta(days=offset)
        if day < ENROLLED or day > last or school_break:
            continue
        attendance = []
        for child in CHILDREN:
            present = rng.random() > 0.12
            reason = None if present else rng.choice(list(s.AbsenceReason))
            attendance.append(s.Attendance(child_id=child, present=present, absence_reason=reason))
        await _run(caselog, roster, f"session.{day}.{kind.value}", h.hold_session, s.HoldSession(
            session_id=f"demo-{kind.value}-{day}", team_id=TEAM, on=day, kind=kind, minutes=minutes,
            attendance=tuple(attendance), at=_at(day)))
    for n in range(5):
        day = monday + timedelta(days=n % 5)
        if day < ENROLLED or day > last:
            continue
        setting = rng.choice(list(NOTES))
        if school_break and setting in (Setting.CLASS_OR_LESSON, Setting.WITH_TEACHER):
            continue
        group = rng.sample(CHILDREN, 3 if setting is Setting.CLASS_OR_LESSON else 1)
        children = tuple(ct.ContactedChild(child_id=c, note=NOTES[setting], outcome_areas=(rng.choice(AREAS),))
                         for c in group)
        await _run(caselog, roster, f"contact.{week}.{n}", h.record_contact, ct.RecordContact(
            contact_id=f"demo-contact-{week}-{n}", on=day, minutes=rng.choice((30, 45, 60, 90)), setting=setting,
            participants=(), children=children, at=_at(day)))
    if monday + timedelta(days=4) <= last:
        await _run(caselog, roster, f"time.{w.iso_week(monday)}", h.report_time, w.ReportTime(
            week=w.iso_week(monday), administration_minutes=240, at=_at(monday + timedelta(days=4))))
