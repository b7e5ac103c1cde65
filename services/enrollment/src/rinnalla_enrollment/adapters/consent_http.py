"""The consent answer under /v1: a child's consent register and "may this be disclosed now".

Answered from the child's stream in the event store, not from the read model: an answer given after a
consent command was accepted reflects that command (network asks at the moment of disclosure and must never
act on a stale answer). Everything is judged at one instant, the service clock at the request, so an expiry
(`valid_until`) or the 18th birthday changes the answer on that day without another event, and a purpose is
never listed in force beside a refused disclosure.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import rinnalla_consent as consent
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from rinnalla_events import load
from rinnalla_security import Access, Action, NotFound, Role, Visibility, authorize

from rinnalla_enrollment.adapters.dependencies import get_enrollment
from rinnalla_enrollment.adapters.erasure_http import is_erased
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES
from rinnalla_enrollment.adapters.examples import CHILD_CONSENTS, examples
from rinnalla_enrollment.application.deciders import CHILD
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.consent_records import ConsentEvidence

ChildIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]

read_consents = authorize(
    Action.read("consent"), roles={Role.COORDINATOR, Role.MENTOR, Role.GUARDIAN, Role.CHILD, Role.ADMIN},
    personal_data=True, description="A child's consents, and whether a disclosure is allowed",
)


class ConsentStatus(BaseModel):
    purpose: str
    in_force: bool = Field(description="whoever decides for the child has consented, now")
    consent_id: str | None = Field(description="the latest consent the answer rests on")
    consent_ids: list[str] = Field(description="every consent it rests on (both guardians' in joint custody)")
    reason: str
    evaluated_at: datetime


class DisclosureAnswer(BaseModel):
    allowed: bool
    reason: str
    basis: str | None
    consent_id: str | None
    consent_ids: list[str]
    evaluated_at: datetime


class ConsentEntry(BaseModel):
    """One consent as recorded, with its evidence (GDPR art. 7(1)) and whether it is valid now (a valid
    consent of one guardian alone does not make the purpose in force under joint custody)."""

    consent_id: str
    subject_id: str
    purpose: str
    given_by: str
    given_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    valid_now: bool
    recorded_by: str | None = Field(description="who entered it (None: recorded before this was kept)")
    evidence: ConsentEvidence | None


class ProhibitionEntry(BaseModel):
    purpose: str | None = Field(description="None: every disclosure")
    refused_guardian_ids: list[str]
    recorded_at: datetime
    lifted_at: datetime | None
    in_effect: bool = Field(description="standing, and an assessment of understanding is on record")


class CustodyExceptionEntry(BaseModel):
    exception_id: str
    guardian_id: str
    kind: str
    purposes: list[str] = Field(description="empty: every purpose")
    recorded_at: datetime
    valid_until: datetime | None
    in_force: bool


class HearingEntry(BaseModel):
    purpose: str
    heard_on: date
    child_view: str
    heard_by: str


class ChildConsents(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(CHILD_CONSENTS))

    child_id: str
    evaluated_at: datetime
    decided_by_the_young_person: bool = Field(description="the child is 18: only their own consent counts")
    purposes: list[ConsentStatus]
    consents: list[ConsentEntry]
    prohibitions: list[ProhibitionEntry]
    custody_exceptions: list[CustodyExceptionEntry]
    hearings: list[HearingEntry]
    disclosure: DisclosureAnswer | None = None


def consent_answer(state: ChildState, now: datetime) -> ChildConsents:
    """The child's register judged at `now` (one instant for every part of the answer)."""
    view, child_id = state.consents, state.child_id
    record = view.subject(child_id)
    purposes = []
    for purpose in consent.Purpose:
        decision = consent.consent_in_force(view, child_id, purpose, now)
        purposes.append(ConsentStatus(
            purpose=purpose.value, in_force=decision.allowed, consent_id=decision.consent_id,
            consent_ids=list(decision.consent_ids), reason=decision.reason, evaluated_at=now,
        ))
    consents = []
    for subject_id in sorted(view.subjects):
        for entry in view.consents_of(subject_id):
            recorded = state.recorded(entry.consent_id)
            consents.append(ConsentEntry(
                consent_id=entry.consent_id, subject_id=entry.subject_id, purpose=entry.purpose.value,
                given_by=entry.given_by, given_at=entry.given_at, valid_from=entry.valid_from,
                valid_until=entry.valid_until, ended_at=entry.ended_at,
                end_reason=entry.end_reason.value if entry.end_reason else None, valid_now=entry.in_force(now),
                recorded_by=(recorded.recorded_by or None) if recorded else None,
                evidence=recorded.evidence if recorded else None,
            ))
    prohibitions = []
    exceptions = []
    if record is not None:
        for prohibition in record.prohibitions:
            scope = prohibition.purpose
            effective = prohibition.standing(now) and (
                record.is_adult_at(now)
                or any(record.understands_at(p, now) for p in ([scope] if scope else list(consent.Purpose)))
            )
            prohibitions.append(ProhibitionEntry(
                purpose=scope.value if scope else None, refused_guardian_ids=sorted(prohibition.guardian_ids),
                recorded_at=prohibition.recorded_at, lifted_at=prohibition.lifted_at, in_effect=effective,
            ))
        guardians = record.guardians_at(now)
        for exception in record.custody_exceptions:
            current = (
                exception.at <= now
                and (exception.valid_until is None or now < exception.valid_until)
                and exception.guardian_id in guardians
            )
            exceptions.append(CustodyExceptionEntry(
                exception_id=exception.exception_id, guardian_id=exception.guardian_id, kind=exception.kind.value,
                purposes=sorted(p.value for p in exception.purposes), recorded_at=exception.at,
                valid_until=exception.valid_until, in_force=current,
            ))
    hearings = [
        HearingEntry(purpose=h.purpose.value, heard_on=h.heard_on, child_view=h.child_view, heard_by=h.heard_by)
        for h in state.hearings
    ]
    return ChildConsents(
        child_id=child_id, evaluated_at=now,
        decided_by_the_young_person=record is not None and record.is_adult_at(now),
        purposes=purposes, consents=consents, prohibitions=prohibitions, custody_exceptions=exceptions,
        hearings=hearings,
    )


def consent_router() -> APIRouter:
    router = APIRouter(tags=["consent"], responses=ERROR_RESPONSES)

    @router.get(
        "/children/{child_id}/consents",
        summary="The child's consents per purpose, now (from the log); with `recipient` and `purpose`, may the "
        "data be disclosed now",
    )
    async def consents(
        child_id: ChildIdPath,
        access: Annotated[Access, Depends(read_consents)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        recipient: Annotated[consent.RecipientKind | None, Query(description="who would receive the data")] = None,
        purpose: Annotated[consent.Purpose | None, Query(description="the consent purpose it rests on")] = None,
    ) -> ChildConsents:
        principal = access.principal
        # Relations and the register both from the log: nothing accepted before this request is missed.
        visibility = Visibility(principal, await enrollment.relations(principal, from_log=True))
        state, _version = await load(enrollment.store, CHILD, child_id)
        if not state.exists or await is_erased(enrollment, child_id):
            raise NotFound()
        access.ensure_tenant(state.municipality_code)
        access.ensure(
            visibility.can_see_child(child_id, team_id=state.active_team_id or state.considered_team_id)
        )
        now = enrollment.clock()
        if _as_guardian_only(access, child_id):
            # A minor who understands the matter may refuse a guardian as a recipient (Act 812/2000 11 §).
            access.ensure(consent.guardian_may_see(state.consents, child_id, principal.subject, now).allowed)
        await access.record(child_id, tenant=state.municipality_code)
        answer = consent_answer(state, now)
        if recipient is not None and purpose is not None:
            decision = consent.may_disclose(state.consents, child_id, recipient, purpose, now)
            answer.disclosure = DisclosureAnswer(
                allowed=decision.allowed, reason=decision.reason, basis=decision.basis,
                consent_id=decision.consent_id, consent_ids=list(decision.consent_ids), evaluated_at=now,
            )
        return answer

    return router


def _as_guardian_only(access: Access, child_id: str) -> bool:
    principal = access.principal
    return (
        not principal.is_tenant_wide
        and principal.has_role(Role.GUARDIAN)
        and not (principal.has_role(Role.CHILD) and principal.subject == child_id)
        and not principal.has_role(Role.MENTOR)
    )
