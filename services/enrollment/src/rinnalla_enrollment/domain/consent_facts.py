"""Adapter: the enrollment events that matter for consent, as facts the consent library folds.

Pure and stateless: one event in, its facts out (none for events that do not concern consent).
The child is registered as a child subject (with the 18th birthday once the date of birth is known)
and every guardian as an adult subject of their own data.
"""

from __future__ import annotations

from datetime import datetime

import rinnalla_consent as consent
from rinnalla_events import DomainEvent

from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.values import Guardian, eighteenth_birthday, parse_iso_date


def consent_facts(event: DomainEvent) -> list[consent.ConsentFact]:
    match event:
        case e.ChildNominated():
            return [_child(event.child_id, event.date_of_birth, event.at)]
        case e.GuardiansInformed() if event.date_of_birth:
            # Since nominations are minimised, the child's date of birth is first known here.
            return [
                _child(event.child_id, event.date_of_birth, event.at),
                *_guardians(event.child_id, event.guardians, event.at),
            ]
        case e.GuardiansInformed() | e.GuardiansChanged():
            return _guardians(event.child_id, event.guardians, event.at)
        case e.ChildPermanentIdentityCodeRecorded():
            return [_child(event.child_id, event.date_of_birth, event.at)]
        case e.ChildEnrolled():
            return [
                _child(event.child_id, event.date_of_birth, event.at),
                *_guardians(event.child_id, event.guardians, event.at),
            ]
        case e.ConsentGiven():
            return [
                consent.ConsentGiven(
                    consent_id=event.consent_id,
                    subject_id=event.subject_id,
                    purpose=event.purpose,
                    given_by=event.given_by,
                    at=event.at,
                    valid_from=event.valid_from,
                    valid_until=event.valid_until,
                )
            ]
        case e.ConsentRefused():
            return [
                consent.ConsentRefused(
                    subject_id=event.subject_id, purpose=event.purpose, refused_by=event.refused_by, at=event.at
                )
            ]
        case e.ConsentWithdrawn():
            return [consent.ConsentWithdrawn(consent_id=event.consent_id, withdrawn_by=event.withdrawn_by, at=event.at)]
        case e.ConsentExpired():
            return [consent.ConsentExpired(consent_id=event.consent_id, at=event.at)]
        case e.SharingConsentsEnded():
            return [consent.ConsentExpired(consent_id=consent_id, at=event.at) for consent_id in event.consent_ids]
        case e.MinorProhibitionRecorded():
            return [
                consent.MinorProhibitionRecorded(
                    subject_id=event.child_id,
                    purpose=event.purpose,
                    at=event.at,
                    guardian_ids=frozenset(event.guardian_ids),
                )
            ]
        case e.CustodyExceptionRecorded():
            return [
                consent.CustodyExceptionRecorded(
                    subject_id=event.child_id,
                    exception_id=event.exception_id,
                    guardian_id=event.guardian_id,
                    kind=consent.CustodyExceptionKind(event.kind.value),
                    purposes=frozenset(event.purposes),
                    at=event.at,
                    valid_until=event.valid_until,
                )
            ]
        case e.MinorProhibitionLifted():
            return [consent.MinorProhibitionLifted(subject_id=event.child_id, purpose=event.purpose, at=event.at)]
        case e.MinorUnderstandingAssessed():
            return [
                consent.MinorUnderstandingAssessed(
                    subject_id=event.child_id,
                    purpose=event.purpose,
                    understands=event.understands,
                    assessed_by=event.assessed_by,
                    at=event.at,
                )
            ]
        case _:
            return []


def _child(child_id: str, date_of_birth: str, at: datetime) -> consent.SubjectRegistered:
    # An erased date of birth reads back as a placeholder: then the coming of age is unknown.
    born = parse_iso_date(date_of_birth)
    return consent.SubjectRegistered(
        subject_id=child_id,
        kind=consent.SubjectKind.CHILD,
        at=at,
        comes_of_age_on=eighteenth_birthday(born) if born else None,
    )


def _guardians(child_id: str, guardians: tuple[Guardian, ...], at: datetime) -> list[consent.ConsentFact]:
    facts: list[consent.ConsentFact] = [
        consent.SubjectRegistered(subject_id=g.guardian_id, kind=consent.SubjectKind.ADULT, at=at) for g in guardians
    ]
    facts.append(
        consent.GuardiansChanged(subject_id=child_id, guardian_ids=frozenset(g.guardian_id for g in guardians), at=at)
    )
    return facts


def consent_view(events: list[DomainEvent], view: consent.ConsentView | None = None) -> consent.ConsentView:
    """The consent register of one child's stream."""
    current = view if view is not None else consent.ConsentView()
    for event in events:
        current = consent.fold(consent_facts(event), current)
    return current
