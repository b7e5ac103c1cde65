"""The erasure API: `POST /v1/children/{child_id}/erasure` and `POST /v1/guardians/{guardian_id}/erasure`,
and the erasure of an organisation's free text: `POST /v1/partnerships/{partnership_id}/free-text/erasure`
and `POST /v1/teams/{team_id}/free-text/erasure` (shreds the record's own key).

Only the data-protection officer and administrators may erase (least privilege: an erasure cannot be
undone, and deciding an erasure request is the controller's data-protection task, not case work; a
coordinator asks the DPO). Its purpose is always `data_subject_erasure` (the default when `X-Purpose` is not
sent; any other answers 422). Another municipality's person answers 404. The access log gets one line per
erasure, written before the key is destroyed, so that no erasure happens unlogged.

After an erasure, commands on the child answer `410 subject_erased` (to callers who could see the child;
everyone else still gets 404) and the child's read endpoints answer 404.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from rinnalla_events import SubjectAlreadyErased
from rinnalla_runtime.problems import Problem
from rinnalla_security import Access, Action, NotFound, Role, StrictModel, Visibility, authorize
from rinnalla_security.responses import error_response

from rinnalla_enrollment.adapters.dependencies import IdempotencyKey, get_enrollment
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES
from rinnalla_enrollment.adapters.examples import ERASURE_REQUEST, examples
from rinnalla_enrollment.application.erasure import (
    ErasureOutcome,
    RecordKind,
    StillEnrolled,
    erase_record_text,
    load_child,
    record_tenant,
    refuse_if_enrolled,
)
from rinnalla_enrollment.bootstrap import Enrollment

ERASERS = {Role.DPO, Role.ADMIN}
ERASURE_PURPOSE = "data_subject_erasure"

IdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]

erase_child_rule = authorize(
    Action.write("child", "erase"), roles=ERASERS, personal_data=True, purposes={ERASURE_PURPOSE},
    default_purpose=ERASURE_PURPOSE, description="Erase a child's personal data (destroys their key; irreversible)",
)
erase_guardian_rule = authorize(
    Action.write("guardian", "erase"), roles=ERASERS, personal_data=True, purposes={ERASURE_PURPOSE},
    default_purpose=ERASURE_PURPOSE, subject_kind="guardian",
    description="Erase a guardian's personal data (destroys their key; irreversible)",
)


class ErasureRequest(StrictModel):
    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra=examples(ERASURE_REQUEST))

    reason: str = Field(
        min_length=10, max_length=500,
        description="Why (e.g. the data subject's request and its date, or the retention rule). Stored in the "
        "event log in plain text: never write names or identity codes here.",
        examples=["Guardian's erasure request of 2026-03-02, case DPO-2026-014"],
    )


erase_record_text_rule = authorize(
    Action.write("record", "erase_free_text"), roles=ERASERS, personal_data=True, purposes={ERASURE_PURPOSE},
    default_purpose=ERASURE_PURPOSE, subject_kind="record",
    description="Erase a partnership's or a team's free text (destroys its record key; irreversible)",
)


class RecordTextErasureResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"record_id": "record-team-team-092-2019-a", "already_erased": False}]}
    )

    record_id: str = Field(description="the key subject of the record's free text, e.g. record-team-<team id>")
    already_erased: bool = Field(description="true when the free text had been erased before this request")


class ErasureResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"subject_id": "child-092-0001", "subject_kind": "child", "erased_at": "2026-03-05T09:30:00+00:00",
                 "already_erased": False}
            ]
        }
    )

    subject_id: str
    subject_kind: str = Field(description="child or guardian")
    erased_at: str
    already_erased: bool = Field(description="true when the person had been erased before this request")


ERASURE_RESPONSES: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    409: {"model": Problem, "description": "the child is still enrolled: record the exit first"},
}


def _answer(outcome: ErasureOutcome, response: Response) -> ErasureResponse:
    if outcome.already_erased:
        response.headers["Idempotent-Replayed"] = "true"
    return ErasureResponse(
        subject_id=outcome.subject_id, subject_kind=outcome.subject_kind,
        erased_at=outcome.erased_at.isoformat(), already_erased=outcome.already_erased,
    )


async def refuse_if_erased(enrollment: Enrollment, access: Access, child_id: str, visibility: Visibility) -> None:
    """For commands: an erased child answers 410 to whoever could see it, 404 to everyone else."""
    erased = await enrollment.subject_directory.erased(child_id)
    if erased is None:
        return
    if erased.tenant is not None:
        access.ensure_tenant(erased.tenant)
    access.ensure(visibility.can_see_child(child_id))
    raise SubjectAlreadyErased(child_id)


async def is_erased(enrollment: Enrollment, subject_id: str) -> bool:
    """For reads: the read model may still hold the rows for a moment after the key was destroyed."""
    return await enrollment.codec.keys.is_erased(subject_id)


def erasure_router() -> APIRouter:
    router = APIRouter(tags=["erasure"], responses=ERASURE_RESPONSES)

    @router.post(
        "/children/{child_id}/erasure",
        summary="Erase a child's personal data (GDPR art. 17); only the child, not their guardians",
        response_model=ErasureResponse,
    )
    async def erase_child(
        child_id: IdPath,
        body: ErasureRequest,
        idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(erase_child_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        request: Request,
        response: Response,
    ) -> ErasureResponse | Response:
        eraser = enrollment.eraser
        before = await eraser.directory.erased(child_id)
        tenant = before.tenant if before is not None else await eraser.directory.child_tenant(child_id)
        if tenant is None:
            raise NotFound()
        access.ensure_tenant(tenant)
        visibility = Visibility(access.principal, await enrollment.relations(access.principal))
        access.ensure(visibility.can_see_child(child_id))
        if before is None:
            try:
                refuse_if_enrolled(await load_child(enrollment.store, child_id))
            except StillEnrolled as refusal:
                return error_response(409, "still_enrolled", str(refusal), scope=request.scope)
        await access.record(child_id, tenant=tenant)
        outcome = await eraser.erase(
            child_id, "child", reason=body.reason, actor=access.principal.subject, tenant=tenant
        )
        return _answer(outcome, response)

    @router.post(
        "/guardians/{guardian_id}/erasure",
        summary="Erase a guardian's personal data (names, contact details) wherever they appear",
    )
    async def erase_guardian(
        guardian_id: IdPath,
        body: ErasureRequest,
        idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(erase_guardian_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        response: Response,
    ) -> ErasureResponse:
        eraser = enrollment.eraser
        before = await eraser.directory.erased(guardian_id)
        if before is not None:
            tenants = frozenset({before.tenant}) if before.tenant else frozenset()
        else:
            tenants = await eraser.directory.guardian_tenants(guardian_id)
        shared = sorted(tenants & access.principal.tenants)
        if not shared:
            raise NotFound()
        tenant = shared[0]
        await access.record(guardian_id, tenant=tenant)
        outcome = await eraser.erase(
            guardian_id, "guardian", reason=body.reason, actor=access.principal.subject, tenant=tenant
        )
        return _answer(outcome, response)

    async def erase_text(
        kind: RecordKind, record_id: str, body: ErasureRequest, access: Access, enrollment: Enrollment,
        response: Response,
    ) -> RecordTextErasureResponse:
        tenant = await record_tenant(enrollment.store, kind, record_id)
        if tenant is None:
            raise NotFound()
        access.ensure_tenant(tenant)
        outcome = await erase_record_text(
            enrollment.store, enrollment.codec.keys, kind, record_id,
            reason=body.reason, actor=access.principal.subject, tenant=tenant,
        )
        await access.record(outcome.record_id, tenant=tenant)
        if outcome.already_erased:
            response.headers["Idempotent-Replayed"] = "true"
        return RecordTextErasureResponse(record_id=outcome.record_id, already_erased=outcome.already_erased)

    @router.post(
        "/partnerships/{partnership_id}/free-text/erasure",
        summary="Erase a partnership's free text (the reasons of a failed negotiation and of its ending)",
    )
    async def erase_partnership_text(
        partnership_id: IdPath,
        body: ErasureRequest,
        idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(erase_record_text_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        response: Response,
    ) -> RecordTextErasureResponse:
        return await erase_text("partnership", partnership_id, body, access, enrollment, response)

    @router.post(
        "/teams/{team_id}/free-text/erasure",
        summary="Erase a team's free text (the details of its termination)",
    )
    async def erase_team_text(
        team_id: IdPath,
        body: ErasureRequest,
        idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(erase_record_text_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        response: Response,
    ) -> RecordTextErasureResponse:
        return await erase_text("team", team_id, body, access, enrollment, response)

    return router
