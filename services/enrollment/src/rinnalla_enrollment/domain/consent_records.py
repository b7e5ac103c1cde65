"""Values of the consent register: the evidence of a statement, custody exceptions, the hearing of the child.

Who said what, and how we know: a consent, refusal, withdrawal or prohibition is recorded either by the
person who gives it, through their own login (`electronic`), or by staff from a signed document (a
returned form, or one signed in front of staff), naming the person who signed. Nobody records a
statement in another person's name otherwise (GDPR art. 7(1): the controller must be able to show that
consent was given).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from rinnalla_enrollment.domain.errors import InvalidValue, RuleViolated
from rinnalla_enrollment.domain.values import Value

Reference = Annotated[str, StringConstraints(max_length=200)]


class ConsentMethod(StrEnum):
    """How a statement was given."""

    SIGNED_FORM = "signed_form"  # a signed paper form returned to staff
    IN_PERSON = "in_person"  # given in person to staff and signed there
    ELECTRONIC = "electronic"  # by the person themself, logged in with their own credentials


STAFF_METHODS = frozenset({ConsentMethod.SIGNED_FORM, ConsentMethod.IN_PERSON})


class ConsentEvidence(Value):
    """What shows the statement was given: how, which version of the information text the person was
    shown, and for a document recorded by staff, the reference under which the signed document is kept."""

    method: ConsentMethod
    information_version: Reference
    document_reference: Reference = ""


class CustodyException(StrEnum):
    """Why one guardian decides alone although the child has two (Child Custody Act 361/1983 5 §)."""

    SOLE_CUSTODY = "sole_custody"
    COURT_ORDERED_DIVISION = "court_ordered_division"
    OTHER_GUARDIAN_UNABLE = "other_guardian_unable"


class ChildView(StrEnum):
    """What the child said when heard."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    NO_OPINION = "no_opinion"
    DID_NOT_WANT_TO_SAY = "did_not_want_to_say"


HEARING_AGE = 12  # from 12 the child is heard in their own matter (Administrative Procedure Act 434/2003 34 §)


def check_evidence(evidence: ConsentEvidence, stated_by: str, recorded_by: str, field: str = "evidence") -> None:
    """A person's own statement is electronic; a statement recorded by someone else rests on a signed document."""
    if not evidence.information_version.strip():
        raise InvalidValue(f"{field}.information_version", "say which version of the information text was shown")
    if stated_by == recorded_by:
        if evidence.method is not ConsentMethod.ELECTRONIC:
            raise RuleViolated(
                f"{field}.method", "a statement made through the person's own login is recorded as electronic"
            )
        return
    if evidence.method not in STAFF_METHODS:
        raise RuleViolated(
            f"{field}.method",
            "a statement recorded by staff rests on a signed document (signed_form or in_person); nobody "
            "records one electronically in another person's name",
        )
    if not evidence.document_reference.strip():
        raise InvalidValue(f"{field}.document_reference", "say where the signed document is kept")
