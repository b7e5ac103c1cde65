"""Enrollment's consent events as the facts `rinnalla_consent` folds into a child's consent register.

The case log keeps its own copy of the register (the roster's `consent_facts` table) and asks the consent
library the same questions enrollment does: which purposes are in force for a child (the mentor's view),
and may the child's data go to research (the research extract). Pure: one event in, its facts out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import rinnalla_consent as consent
from rinnalla_events import DomainEvent

from rinnalla_caselog.consumed import enrollment as en

_FACT_TYPES: dict[str, type[consent.ConsentFact]] = {
    cls.__name__: cls
    for cls in (
        consent.SubjectRegistered, consent.GuardiansChanged, consent.ConsentGiven, consent.ConsentRefused,
        consent.ConsentWithdrawn, consent.ConsentExpired, consent.MinorProhibitionRecorded,
        consent.MinorProhibitionLifted, consent.MinorUnderstandingAssessed,
    )
}
_PURPOSES = {purpose.value: purpose for purpose in consent.Purpose}


def parse_birth_date(value: str) -> date | None:
    """An ISO date, or None for "[erased]", "[not disclosed]" or anything else unreadable."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # 29 February
        return date(born.year + 18, 3, 1)


def _purpose(value: str | None) -> consent.Purpose | None:
    return None if value is None else _PURPOSES.get(value)


def _child(child_id: str, date_of_birth: str, at: datetime) -> consent.SubjectRegistered:
    born = parse_birth_date(date_of_birth)
    return consent.SubjectRegistered(
        subject_id=child_id, kind=consent.SubjectKind.CHILD, at=at,
        comes_of_age_on=eighteenth_birthday(born) if born else None,
    )


def _guardians(child_id: str, guardians: Iterable[en.GuardianRef], at: datetime) -> list[consent.ConsentFact]:
    ids = [g.guardian_id for g in guardians]
    facts: list[consent.ConsentFact] = [
        consent.SubjectRegistered(subject_id=guardian, kind=consent.SubjectKind.ADULT, at=at) for guardian in ids
    ]
    facts.append(consent.GuardiansChanged(subject_id=child_id, guardian_ids=frozenset(ids), at=at))
    return facts


def consent_facts(event: DomainEvent) -> list[consent.ConsentFact]:
    match event:
        case en.ChildEnrolled():
            return [_child(event.child_id, event.date_of_birth, event.at),
                    *_guardians(event.child_id, event.guardians, event.at)]
        case en.GuardiansInformed():
            born = [_child(event.child_id, event.date_of_birth, event.at)] if event.date_of_birth else []
            return [*born, *_guardians(event.child_id, event.guardians, event.at)]
        case en.GuardiansChanged():
            return _guardians(event.child_id, event.guardians, event.at)
        case en.ChildPermanentIdentityCodeRecorded():
            return [_child(event.child_id, event.date_of_birth, event.at)]
        case en.ConsentGiven() if (purpose := _purpose(event.purpose)) is not None:
            return [consent.ConsentGiven(
                consent_id=event.consent_id, subject_id=event.subject_id, purpose=purpose, given_by=event.given_by,
                at=event.at, valid_from=event.valid_from, valid_until=event.valid_until,
            )]
        case en.ConsentRefused() if (purpose := _purpose(event.purpose)) is not None:
            return [consent.ConsentRefused(subject_id=event.subject_id, purpose=purpose, refused_by=event.refused_by,
                                           at=event.at)]
        case en.ConsentWithdrawn():
            return [consent.ConsentWithdrawn(consent_id=event.consent_id, withdrawn_by=event.withdrawn_by, at=event.at)]
        case en.ConsentExpired():
            return [consent.ConsentExpired(consent_id=event.consent_id, at=event.at)]
        case en.SharingConsentsEnded():
            return [consent.ConsentExpired(consent_id=consent_id, at=event.at) for consent_id in event.consent_ids]
        case en.MinorProhibitionRecorded():
            return [consent.MinorProhibitionRecorded(subject_id=event.child_id, purpose=_purpose(event.purpose),
                                                     at=event.at)]
        case en.MinorProhibitionLifted():
            return [consent.MinorProhibitionLifted(subject_id=event.child_id, purpose=_purpose(event.purpose),
                                                   at=event.at)]
        case en.MinorUnderstandingAssessed():
            return [consent.MinorUnderstandingAssessed(
                subject_id=event.child_id, purpose=_purpose(event.purpose), understands=event.understands,
                assessed_by=event.assessed_by, at=event.at,
            )]
        case _:
            return []


def child_of(event: DomainEvent) -> str | None:
    """The child whose register the event's facts belong to."""
    child_id = getattr(event, "child_id", None)
    return child_id if isinstance(child_id, str) else None


def fact_to_json(fact: consent.ConsentFact) -> str:
    data: dict[str, Any] = fact.model_dump(mode="json")
    if "guardian_ids" in data:
        data["guardian_ids"] = sorted(data["guardian_ids"])  # a frozenset: keep rebuilds byte-identical
    return json.dumps({"type": type(fact).__name__, "data": data}, sort_keys=True)


def fact_from_json(text: str) -> consent.ConsentFact:
    raw = json.loads(text)
    return _FACT_TYPES[raw["type"]].model_validate(raw["data"])


def purposes_in_force(view: consent.ConsentView, child_id: str, at: datetime) -> list[str]:
    """The purposes the child's data may be used for now, by the consent rules (guardians jointly, the
    minor's prohibition first, the child's own word once they understand or come of age)."""
    return sorted(
        purpose.value for purpose in consent.Purpose
        if consent.consent_in_force(view, child_id, purpose, at).allowed
    )

