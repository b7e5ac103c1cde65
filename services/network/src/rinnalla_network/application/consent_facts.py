"""Enrollment's events, as read by network's own tolerant readers, turned into the consent library's facts.

Pure and stateless: one event in, its facts out. A purpose or kind this version does not know is skipped
(the fact would be about something the network never shares for), so a producer's new purpose cannot stop
the projection.
"""

from __future__ import annotations

from datetime import date, datetime

import rinnalla_consent as consent
from rinnalla_events import DomainEvent

from rinnalla_network.consumed import enrollment as en


def consent_facts(event: DomainEvent) -> list[consent.ConsentFact]:
    match event:
        case en.ChildEnrolled():
            return [_child(event.child_id, event.date_of_birth, event.at), *_guardians(event.child_id,
                                                                                     event.guardians, event.at)]
        case en.GuardiansInformed():
            facts = _guardians(event.child_id, event.guardians, event.at)
            if event.date_of_birth:
                facts.insert(0, _child(event.child_id, event.date_of_birth, event.at))
            return facts
        case en.GuardiansChanged():
            return _guardians(event.child_id, event.guardians, event.at)
        case en.ConsentGiven():
            purpose = _purpose(event.purpose)
            if purpose is None:
                return []
            return [consent.ConsentGiven(
                consent_id=event.consent_id, subject_id=event.subject_id, purpose=purpose, given_by=event.given_by,
                at=event.at, valid_from=event.valid_from, valid_until=event.valid_until,
            )]
        case en.ConsentRefused():
            purpose = _purpose(event.purpose)
            if purpose is None:
                return []
            return [consent.ConsentRefused(subject_id=event.subject_id, purpose=purpose, refused_by=event.refused_by,
                                           at=event.at)]
        case en.ConsentWithdrawn():
            return [consent.ConsentWithdrawn(consent_id=event.consent_id, withdrawn_by=event.withdrawn_by,
                                             at=event.at)]
        case en.ConsentExpired():
            return [consent.ConsentExpired(consent_id=event.consent_id, at=event.at)]
        case en.SharingConsentsEnded():
            return [consent.ConsentExpired(consent_id=consent_id, at=event.at) for consent_id in event.consent_ids]
        case en.MinorProhibitionRecorded():
            scope = _scope(event.purpose)
            if scope is False:
                return []
            return [consent.MinorProhibitionRecorded(subject_id=event.child_id, purpose=scope, at=event.at,
                                                     guardian_ids=frozenset(event.guardian_ids))]
        case en.MinorProhibitionLifted():
            scope = _scope(event.purpose)
            if scope is False:
                return []
            return [consent.MinorProhibitionLifted(subject_id=event.child_id, purpose=scope, at=event.at)]
        case en.MinorUnderstandingAssessed():
            scope = _scope(event.purpose)
            if scope is False:
                return []
            return [consent.MinorUnderstandingAssessed(subject_id=event.child_id, purpose=scope,
                                                       understands=event.understands,
                                                       assessed_by=event.assessed_by, at=event.at)]
        case en.CustodyExceptionRecorded():
            purposes = [_purpose(p) for p in event.purposes]
            try:
                kind = consent.CustodyExceptionKind(event.kind)
            except ValueError:
                return []
            return [consent.CustodyExceptionRecorded(
                subject_id=event.child_id, exception_id=event.exception_id, guardian_id=event.guardian_id,
                kind=kind, purposes=frozenset(p for p in purposes if p is not None), at=event.at,
                valid_until=event.valid_until,
            )]
        case _:
            return []


def _purpose(value: str) -> consent.Purpose | None:
    try:
        return consent.Purpose(value)
    except ValueError:
        return None


def _scope(value: str | None) -> consent.Purpose | bool | None:
    """None: every purpose; False: a purpose this version does not know."""
    if value is None:
        return None
    purpose = _purpose(value)
    return False if purpose is None else purpose


def eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: of age on 1 March
        return date(born.year + 18, 3, 1)


def parse_date(text: str) -> date | None:
    """An ISO date, or None for an erased or withheld one ("[erased]")."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _child(child_id: str, date_of_birth: str, at: datetime) -> consent.SubjectRegistered:
    born = parse_date(date_of_birth)
    return consent.SubjectRegistered(
        subject_id=child_id, kind=consent.SubjectKind.CHILD, at=at,
        comes_of_age_on=eighteenth_birthday(born) if born else None,
    )


def _guardians(child_id: str, guardians: tuple[en.Guardian, ...], at: datetime) -> list[consent.ConsentFact]:
    facts: list[consent.ConsentFact] = [
        consent.SubjectRegistered(subject_id=g.guardian_id, kind=consent.SubjectKind.ADULT, at=at) for g in guardians
    ]
    facts.append(consent.GuardiansChanged(subject_id=child_id, guardian_ids=frozenset(g.guardian_id for g in guardians),
                                          at=at))
    return facts
