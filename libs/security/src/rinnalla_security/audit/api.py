"""The audit-log API a service mounts: `app.include_router(audit_router())`.

- `GET {prefix}/subjects/{subject_id}/accesses` and `.../disclosures`: who processed the subject's data
  and to whom it was disclosed. For the guardian of that child, the child, the subject themself, and the
  data-protection officer (rows of the DPO's tenants).
- `GET {prefix}/actors/{actor_id}/accesses`: what one user accessed. Supervisors, administrators, DPO.
- `GET {prefix}/verify`: the chains' integrity, row by row and against every signed checkpoint kept outside
  the database (when the service was given `chain_anchors`). DPO and administrators.

A DPO asking about a subject the log does not know in their own municipalities gets 404, like every other
read of another municipality's record (and nothing is logged). A user's log shows only the rows of the
caller's municipalities.

Every list answers JSON, or CSV with `?format=csv`; `since`/`until` bound the period (default: the last two
years); older periods need `reason`. Reading a log is itself logged.

Which children a guardian may ask about follows the service's log, not the token: the service passes
`relations`, an async callable (request, principal) -> `Relations` (usually `relations_of` over its own
`RelationshipSource`). Without it a guardian sees only their own log. A service that knows more, e.g. that a
mature minor has prohibited the guardian's access, passes `subject_check`: an async callable
(principal, subject id) -> bool, refused with 404 when it returns False.
"""


import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from rinnalla_security.access import Access
from rinnalla_security.audit.chain import ChainReport
from rinnalla_security.audit.checkpoints import AnchorSet
from rinnalla_security.audit.entries import StoredAccess, StoredDisclosure
from rinnalla_security.audit.export import rows_to_csv, rows_to_json
from rinnalla_security.audit.log import AuditLog, LogName
from rinnalla_security.audit.window import LogWindow, log_window
from rinnalla_security.authorize import authorize
from rinnalla_security.errors import NotFound
from rinnalla_security.principal import Principal
from rinnalla_security.relationships import Relations
from rinnalla_security.roles import Role
from rinnalla_security.rules import Action
from rinnalla_security.state import security_state

CLIENT_RIGHTS_PURPOSE = "client_rights_log_request"
SUPERVISION_PURPOSE = "supervision_of_access"

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")

SubjectCheck = Callable[[Principal, str], Awaitable[bool]]
RelationsLookup = Callable[[Request, Principal], Awaitable[Relations]]

Since = Annotated[datetime | None, Query(description="Start of the period (default: two years ago)")]
Until = Annotated[datetime | None, Query(description="End of the period, exclusive (default: now)")]
Reason = Annotated[
    str | None,
    Query(max_length=500, description="Special reason, required for periods older than two years"),
]
Format = Annotated[Literal["json", "csv"], Query(alias="format", description="json (default) or csv")]


def _log(request: Request) -> AuditLog:
    log = security_state(request.app).audit_log
    if log is None:
        raise RuntimeError("the audit router needs an audit log: pass audit_log to install_security")
    return log


def _subject_tenants(principal: Principal, relations: Relations, subject_id: str) -> frozenset[str] | None:
    """None: the subject's whole log (own data, or own child's). A set: only rows of those tenants (DPO).
    NotFound for anyone else, so the API does not reveal whose logs exist."""
    if subject_id == principal.subject and principal.has_role(Role.CHILD, Role.GUARDIAN):
        return None
    if principal.has_role(Role.GUARDIAN) and subject_id in relations.child_ids:
        return None
    if principal.has_role(Role.DPO):
        return principal.tenants
    raise NotFound()


_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


async def _known_subject(log: AuditLog, subject_id: str, tenants: frozenset[str]) -> bool:
    """Whether the log holds anything about the subject in these municipalities: a subject of another
    municipality answers 404, like every other read of another municipality's record."""
    if await log.accesses_for_subject(subject_id, since=_BEGINNING, tenants=tenants):
        return True
    return bool(await log.disclosures_for_subject(subject_id, since=_BEGINNING, tenants=tenants))


def _purpose(access: Access, window: LogWindow) -> str | None:
    if window.special_reason is None:
        return None
    return f"{access.purpose}; special reason: {window.special_reason}"[:500]


def _render(
    rows: Sequence[StoredAccess] | Sequence[StoredDisclosure],
    *,
    fmt: str,
    kind: str,
    key: str,
    window: LogWindow,
) -> Response:
    model = StoredAccess if kind == "access" else StoredDisclosure
    leading = ["seq", "occurred_at"]
    columns = leading + [c for c in model.model_fields if c not in leading and c != "prev_hash"]
    if fmt == "csv":
        filename = f"{kind}-log-{_SAFE_NAME.sub('_', key)}.csv"
        return Response(
            rows_to_csv(rows, columns),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    body: dict[str, Any] = {
        "since": window.since.isoformat(),
        "until": window.until.isoformat() if window.until else None,
        "special_reason": window.special_reason,
        "count": len(rows),
        "entries": rows_to_json(rows),
    }
    return JSONResponse(body)


_ACCESS_ROW: dict[str, Any] = {
    "seq": 41, "occurred_at": "2026-03-02T08:15:00+00:00", "service": "enrollment",
    "request_id": "5f0c6c1b9f2d4c7e8a1b2c3d4e5f6a7b", "actor_id": "user-mentor.vantaa",
    "actor_name": "Mikko Mentori", "actor_roles": ["mentor"], "actor_organisation": "org-icehearts",
    "tenants": ["092"], "subject_id": "child-092-0001", "subject_kind": "child", "purpose": "programme_delivery",
    "action": "team_roster.read", "access_kind": "read", "endpoint": "GET /v1/mentor/teams", "client_kind": "human",
    "row_hash": "9c1d0e6b...",
}


class LogPage(BaseModel):
    """Rows of the access or disclosure log for the period; `?format=csv` answers the same rows as CSV."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"since": "2024-03-02T00:00:00+00:00", "until": None, "special_reason": None, "count": 1,
                 "entries": [_ACCESS_ROW]}
            ]
        }
    )

    since: str
    until: str | None
    special_reason: str | None
    count: int
    entries: list[dict[str, Any]]


_CSV_EXAMPLE = (
    "seq,occurred_at,service,request_id,actor_id,actor_name,actor_roles,...\r\n"
    "41,2026-03-02T08:15:00Z,enrollment,5f0c6c1b9f2d4c7e8a1b2c3d4e5f6a7b,user-mentor.vantaa,Mikko Mentori,"
    "mentor,...\r\n"
)
LOG_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": LogPage,
        "description": "the log rows, as JSON or (with `format=csv`) as CSV",
        "content": {"text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE}},
    },
    400: {"description": "a period older than two years without `reason`"},
}


class ChainProblemView(BaseModel):
    seq: int
    kind: str
    detail: str


class ChainReportView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"log": "access", "ok": True, "rows_checked": 41, "head_seq": 41, "head_hash": "9c1d0e6b...",
                 "anchored": True, "checkpoints_checked": 12, "problems": []}
            ]
        }
    )

    log: str
    ok: bool
    rows_checked: int
    head_seq: int | None
    head_hash: str | None
    anchored: bool  # whether signed checkpoints kept outside the database were read and checked
    checkpoints_checked: int
    problems: list[ChainProblemView]


def chain_report_view(report: ChainReport, anchors: AnchorSet) -> ChainReportView:
    """A chain's report; checkpoint messages the verifier could not trust are problems of every log."""
    problems = [ChainProblemView(seq=p.seq, kind=p.kind, detail=p.detail) for p in report.problems]
    problems += [ChainProblemView(seq=0, kind="bad_checkpoint", detail=reason) for reason in anchors.rejected]
    return ChainReportView(
        log=report.log,
        ok=not problems,
        rows_checked=report.rows_checked,
        head_seq=report.head.seq if report.head else None,
        head_hash=report.head.row_hash if report.head else None,
        anchored=anchors.available,
        checkpoints_checked=report.anchors_checked,
        problems=problems,
    )


def audit_router(
    *,
    prefix: str = "/v1/audit",
    tags: Sequence[str] = ("audit",),
    subject_check: SubjectCheck | None = None,
    relations: RelationsLookup | None = None,
) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=list(tags))
    subject_rule = authorize(
        Action.read("audit.subject_log"),
        roles={Role.GUARDIAN, Role.CHILD, Role.DPO},
        personal_data=True,
        default_purpose=CLIENT_RIGHTS_PURPOSE,
        subject_kind="client",
        description="A client's own access and disclosure history (Act 703/2023 § 11)",
    )
    actor_rule = authorize(
        Action.read("audit.actor_log"),
        roles={Role.SUPERVISOR, Role.ADMIN, Role.DPO},
        personal_data=True,
        default_purpose=SUPERVISION_PURPOSE,
        subject_kind="user",
        description="What one user accessed, for supervision of access",
    )
    verify_rule = authorize(Action.read("audit.chain"), roles={Role.DPO, Role.ADMIN})

    async def _subject_log(
        kind: Literal["access", "disclosure"], request: Request, subject_id: str, access: Access,
        since: datetime | None, until: datetime | None, reason: str | None, fmt: str,
    ) -> Response:
        held = Relations() if relations is None else await relations(request, access.principal)
        tenants = _subject_tenants(access.principal, held, subject_id)
        if subject_check is not None and not await subject_check(access.principal, subject_id):
            raise NotFound()
        log = _log(request)
        if tenants is not None and not await _known_subject(log, subject_id, tenants):
            raise NotFound()
        window = log_window(since=since, until=until, reason=reason, now=datetime.now(UTC))
        await access.record(subject_id, purpose=_purpose(access, window))
        rows: Sequence[StoredAccess] | Sequence[StoredDisclosure]
        if kind == "access":
            rows = await log.accesses_for_subject(subject_id, since=window.since, until=window.until, tenants=tenants)
        else:
            rows = await log.disclosures_for_subject(
                subject_id, since=window.since, until=window.until, tenants=tenants
            )
        return _render(rows, fmt=fmt, kind=kind, key=subject_id, window=window)

    @router.get("/subjects/{subject_id}/accesses", summary="Who processed this client's data", responses=LOG_RESPONSES)
    async def subject_accesses(
        request: Request, subject_id: str, access: Annotated[Access, Depends(subject_rule)],
        since: Since = None, until: Until = None, reason: Reason = None, fmt: Format = "json",
    ) -> Response:
        return await _subject_log("access", request, subject_id, access, since, until, reason, fmt)

    @router.get(
        "/subjects/{subject_id}/disclosures",
        summary="To whom this client's data was disclosed",
        responses=LOG_RESPONSES,
    )
    async def subject_disclosures(
        request: Request, subject_id: str, access: Annotated[Access, Depends(subject_rule)],
        since: Since = None, until: Until = None, reason: Reason = None, fmt: Format = "json",
    ) -> Response:
        return await _subject_log("disclosure", request, subject_id, access, since, until, reason, fmt)

    @router.get("/actors/{actor_id}/accesses", summary="What one user accessed", responses=LOG_RESPONSES)
    async def actor_accesses(
        request: Request, actor_id: str, access: Annotated[Access, Depends(actor_rule)],
        since: Since = None, until: Until = None, reason: Reason = None, fmt: Format = "json",
    ) -> Response:
        log = _log(request)
        window = log_window(since=since, until=until, reason=reason, now=datetime.now(UTC))
        await access.record(actor_id, purpose=_purpose(access, window))
        rows = await log.accesses_by_actor(
            actor_id, since=window.since, until=window.until, tenants=access.principal.tenants
        )
        return _render(rows, fmt=fmt, kind="access", key=actor_id, window=window)

    @router.get("/verify", summary="Check the hash chains of the access and disclosure logs")
    async def verify_chains(
        request: Request, access: Annotated[Access, Depends(verify_rule)]
    ) -> list[ChainReportView]:
        log = _log(request)
        source = security_state(request.app).chain_anchors
        anchors = await source.anchors() if source is not None else AnchorSet(available=False)
        names: tuple[LogName, ...] = ("access", "disclosure")
        return [chain_report_view(await log.verify(name, anchors=anchors.for_log(name)), anchors) for name in names]

    return router
