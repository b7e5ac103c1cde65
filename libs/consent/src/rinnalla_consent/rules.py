"""The consent rules: may this person's data go to this recipient for this purpose at this moment?

The rules, in the order they are applied (sources: Act 703/2023 and the THL child welfare handbook;
Act 812/2000 11 §; Lastensuojelulaki 417/2007; Child Custody Act 361/1983 4-5 §):

1. A statutory duty to disclose (a `LegalBasis`) allows disclosure to the recipient the law names,
   whatever anyone consented to or prohibited.
2. Investors never receive a person's data; a recipient that no consent purpose covers gets nothing.
3. A minor's prohibition of disclosure overrides every guardian's consent, but only while an assessment
   that the minor understands the matter is on record (participation is not a disclosure: the minor's
   "no" to it is a refusal). The child's own refusal or withdrawal is a veto for every purpose.
4. Who decides: an adult and a child from their 18th birthday (Finnish time) decide alone, and then only
   their own consent counts. A minor assessed as understanding the matter decides about disclosing their
   data; participation stays the guardians' decision (taken after hearing the child), which the child's
   "yes" cannot override.
5. Guardians decide jointly: every current guardian's consent is needed, and any guardian's "no" stands,
   unless a custody exception in force (sole custody, a court-ordered division of tasks, the other guardian
   unable to act) names one guardian who then decides alone. A consent counts only while its giver is a
   guardian.
6. A consent counts only within its validity period and until it is withdrawn or expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rinnalla_consent.facts import CustodyExceptionKind, SubjectKind
from rinnalla_consent.purposes import (
    CITATIONS,
    LEGAL_BASIS_RECIPIENTS,
    RECIPIENT_PURPOSES,
    LegalBasis,
    Purpose,
    RecipientKind,
)
from rinnalla_consent.view import Answer, ConsentRecord, ConsentView, SubjectRecord


@dataclass(frozen=True)
class Decision:
    """The answer, with the consent id or law it rests on (`basis`) and a reason a person can read."""

    allowed: bool
    reason: str
    basis: str | None = None
    consent_id: str | None = None
    legal_basis: LegalBasis | None = None
    # Every consent the answer rests on (both guardians' under joint custody); `consent_id` is the latest.
    consent_ids: tuple[str, ...] = ()

    @classmethod
    def deny(cls, reason: str) -> Decision:
        return cls(allowed=False, reason=reason)

    @classmethod
    def by_consent(cls, consent: ConsentRecord, reason: str) -> Decision:
        return cls.by_consents((consent,), reason)

    @classmethod
    def by_consents(cls, consents: tuple[ConsentRecord, ...], reason: str) -> Decision:
        latest = max(consents, key=lambda c: c.given_at)
        ids = tuple(c.consent_id for c in consents)
        return cls(allowed=True, reason=reason, basis=",".join(ids), consent_id=latest.consent_id, consent_ids=ids)

    @classmethod
    def by_law(cls, legal_basis: LegalBasis, reason: str) -> Decision:
        return cls(allowed=True, reason=reason, basis=CITATIONS[legal_basis], legal_basis=legal_basis)


def may_disclose(
    view: ConsentView,
    subject_id: str,
    recipient: RecipientKind,
    purpose: Purpose | LegalBasis,
    at: datetime,
) -> Decision:
    """May the subject's data be disclosed to this kind of recipient, for this purpose, at `at`?

    `purpose` is either the consent purpose the disclosure rests on, or a `LegalBasis` when the
    disclosure is made under a statutory duty (which needs no consent).
    """
    if isinstance(purpose, LegalBasis):
        if recipient in LEGAL_BASIS_RECIPIENTS[purpose]:
            return Decision.by_law(
                purpose, f"{CITATIONS[purpose]} requires disclosure to the {_words(recipient)} without consent"
            )
        return Decision.deny(f"{CITATIONS[purpose]} does not allow disclosure to the {_words(recipient)}")
    if recipient is RecipientKind.SIB_INVESTOR:
        return Decision.deny("investors receive aggregate figures only, never a person's data")
    if purpose not in RECIPIENT_PURPOSES[recipient]:
        return Decision.deny(f"consent for {_words(purpose)} does not cover disclosure to the {_words(recipient)}")
    return consent_in_force(view, subject_id, purpose, at)


def consent_in_force(view: ConsentView, subject_id: str, purpose: Purpose, at: datetime) -> Decision:
    """Is there a consent for `purpose` from whoever decides for the subject at `at`?"""
    record = view.subject(subject_id)
    if record is None or record.kind is None:
        return Decision.deny(f"subject {subject_id} is not in the consent register")
    if purpose is not Purpose.PARTICIPATION:
        prohibition = record.prohibition_at(purpose, at)
        if prohibition is not None:
            return Decision.deny(
                f"the child has prohibited disclosure for {_words(purpose)} "
                f"(since {prohibition.recorded_at:%Y-%m-%d})"
            )
    own_word = record.latest_statement(subject_id, purpose, at)
    if record.kind is SubjectKind.CHILD and own_word is not None and own_word.answer is Answer.NO:
        return Decision.deny(f"the child has refused consent for {_words(purpose)}")
    if decides_for_themself(record, purpose, at):
        return _own_consent(record, purpose, at)
    return _guardians_consent(record, purpose, at)


def decides_for_themself(record: SubjectRecord, purpose: Purpose, at: datetime) -> bool:
    """True for adults and from the 18th birthday; for a minor who understands the matter, about disclosing
    their data (participation stays the guardians' decision, after hearing the child)."""
    if record.is_adult_at(at):
        return True
    return purpose is not Purpose.PARTICIPATION and record.understands_at(purpose, at)


def guardian_may_see(view: ConsentView, subject_id: str, guardian_id: str, at: datetime) -> Decision:
    """May this guardian receive the child's data at `at`: a current guardian of a minor, unless the minor
    (assessed as understanding) has refused the guardian as a recipient (Act 812/2000 11 §)."""
    record = view.subject(subject_id)
    if record is None or record.kind is None:
        return Decision.deny(f"subject {subject_id} is not in the consent register")
    if record.is_adult_at(at):
        return Decision.deny("the young person is 18: guardians no longer receive their data")
    if guardian_id not in record.guardians_at(at):
        return Decision.deny(f"{guardian_id} is not the child's guardian")
    if record.refuses_guardian_at(guardian_id, at) is not None:
        return Decision.deny("the child has prohibited disclosing their data to this guardian")
    return Decision(allowed=True, reason="a guardian of a minor, not refused by the child")


def _own_consent(record: SubjectRecord, purpose: Purpose, at: datetime) -> Decision:
    consent = _yes_in_force(record, record.subject_id, purpose, at)
    if consent is not None:
        return Decision.by_consent(consent, f"the subject consented to {_words(purpose)}")
    if record.is_adult_at(at):
        why = "the subject is an adult and decides alone (the guardians' consents ended on the 18th birthday)"
    else:
        why = "the child understands the matter, so the child's own consent is needed"
    return Decision.deny(f"no consent for {_words(purpose)} in force: {why}")


def _guardians_consent(record: SubjectRecord, purpose: Purpose, at: datetime) -> Decision:
    guardians = record.guardians_at(at)
    if not guardians:
        return Decision.deny("the child has no guardian in the consent register, so nobody can consent")
    exception = record.custody_exception_at(purpose, at)
    deciders = frozenset({exception.guardian_id}) if exception is not None else guardians
    consents: list[ConsentRecord] = []
    missing: list[str] = []
    for guardian in sorted(deciders):
        word = record.latest_statement(guardian, purpose, at)
        if word is not None and word.answer is Answer.NO:
            # Guardians decide jointly (Child Custody Act 361/1983 5 §): one guardian's "no" stands.
            return Decision.deny(f"guardian {guardian} has refused or withdrawn consent for {_words(purpose)}")
        consent = _yes_in_force(record, guardian, purpose, at)
        if consent is None:
            missing.append(guardian)
        else:
            consents.append(consent)
    if not consents:
        return Decision.deny(f"no guardian's consent for {_words(purpose)} is in force")
    if missing:
        return Decision.deny(
            f"joint custody: guardian {', '.join(missing)} has not consented to {_words(purpose)} "
            "(both guardians' consent is needed unless a custody exception is recorded)"
        )
    if exception is not None:
        reason = (
            f"guardian {exception.guardian_id} consented to {_words(purpose)} and decides alone "
            f"({_words(exception.kind)}, exception {exception.exception_id})"
        )
    elif len(consents) == 1:
        reason = f"guardian {consents[0].given_by} consented to {_words(purpose)}"
    else:
        reason = f"guardians {' and '.join(c.given_by for c in consents)} consented to {_words(purpose)}"
    return Decision.by_consents(tuple(consents), reason)


def _yes_in_force(record: SubjectRecord, person_id: str, purpose: Purpose, at: datetime) -> ConsentRecord | None:
    """The person's consent that is in force, if their latest word is a consent that has not ended."""
    word = record.latest_statement(person_id, purpose, at)
    if word is None or word.answer is not Answer.YES or word.consent_id is None:
        return None
    consent = record.consent(word.consent_id)
    return consent if consent is not None and consent.in_force(at) else None


def _words(value: Purpose | RecipientKind | CustodyExceptionKind) -> str:
    return value.value.replace("_", " ")
