"""Whose records they are and how long they are kept, over HTTP.

- `POST /v1/teams/{team_id}/register`: the register of the team's children's records (the programme's own,
  or a wellbeing services county's purchased service with the county's statutory period). Coordinators.
- `POST /v1/legal-holds/{hold_id}` and `POST /v1/legal-holds/{hold_id}/lifting`: place a legal hold (basis,
  reference, end date) or lift it. Keeping data past its retention period is a data-protection decision:
  the data-protection officer and administrators.
- `GET /v1/legal-holds`: the holds of the caller's municipalities, in force or not on a day.
- `GET /v1/retention/schedule`: every child record of the caller's municipalities with its controller,
  register, retention class, the day its period ends, and the holds that keep it: what the retention job
  will do, without doing it.

The views carry ids, codes and dates only (no names): a coordinator plans with them, the DPO audits.
Another municipality's team, child or hold answers 404.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from rinnalla_events import EventMetadata, Idempotency, Outcome, fingerprint
from rinnalla_security import Access, Action, Role, StrictModel, authorize, service_day

from rinnalla_enrollment.adapters.dependencies import HttpGuard, IdempotencyKey, get_enrollment
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES
from rinnalla_enrollment.adapters.http import CommandResponse
from rinnalla_enrollment.application import records_handlers as rh
from rinnalla_enrollment.application.retention_policy import STATUS_EVENTS, schedule
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.domain import records
from rinnalla_enrollment.domain.values import Id

IdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
MunicipalityCode = Annotated[str, Field(pattern=r"^\d{3}$", description="kuntanumero, e.g. 092 Vantaa")]

HOLD_KEEPERS = {Role.DPO, Role.ADMIN}
RECORD_PLANNERS = {Role.COORDINATOR, Role.DPO, Role.ADMIN}

record_register_rule = authorize(
    Action.write("team", "record_register"), roles={Role.COORDINATOR, Role.ADMIN},
    description="Record the register (and controller) of a team's children's records",
)
place_hold_rule = authorize(
    Action.write("legal_hold", "place"), roles=HOLD_KEEPERS,
    description="Keep records past their retention period (SIB measurement, research, legal claim)",
)
lift_hold_rule = authorize(
    Action.write("legal_hold", "lift"), roles=HOLD_KEEPERS, description="Lift a legal hold before its end date",
)
read_holds_rule = authorize(
    Action.read("legal_holds"), roles=RECORD_PLANNERS, description="The legal holds of the caller's municipalities",
)
read_schedule_rule = authorize(
    Action.read("retention_schedule"), roles=RECORD_PLANNERS,
    description="Each child record's controller, register, retention period and holds (ids only)",
)


class RegisterRequest(StrictModel):
    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra={"examples": [{
        "register_kind": "purchased_service", "statutory_retention": "family_services_record",
        "contract_reference": "VAKE-2025/17", "recorded_on": "2025-08-01",
    }]})

    register_kind: records.Register = Field(
        description="programme: the association's own register; purchased_service: the county's client records"
    )
    statutory_retention: records.StatutoryRetention | None = Field(
        default=None, description="for a purchased service: the county's statutory retention period"
    )
    contract_reference: records.Reference | None = Field(
        default=None, description="for a purchased service: the reference of the written contract",
        examples=["KH-HYVA-2026/17"],
    )
    recorded_on: date


class PlaceHoldRequest(StrictModel):
    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra={"examples": [{
        "municipality_code": "092", "scope": "team", "target_id": "team-092-2019-a",
        "basis": "sib_outcome_measurement", "reference": "LAPSET-SIB-2019", "placed_on": "2026-01-15",
        "held_until": "2031-12-31",
    }]})

    municipality_code: MunicipalityCode
    scope: records.HoldScope = Field(description="child, team (every child ever in it) or municipality")
    target_id: Id = Field(description="the child id, the team id or the municipality code")
    basis: records.HoldBasis
    reference: records.Reference = Field(
        description="the contract, study or case reference: an identifier, never a name or prose",
        examples=["LAPSET-SIB-2019"],
    )
    placed_on: date
    held_until: date = Field(description="the last day the hold keeps the records")


class LiftHoldRequest(StrictModel):
    model_config = ConfigDict(**StrictModel.model_config, json_schema_extra={"examples": [{"lifted_on": "2027-03-01"}]})

    lifted_on: date


class HoldView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "hold_id": "hold-092-sib", "municipality_code": "092", "scope": "team", "target_id": "team-092-2019-a",
        "basis": "sib_outcome_measurement", "reference": "LAPSET-SIB-2019", "placed_on": "2026-01-15",
        "held_until": "2031-12-31", "placed_by": "user-dpo.vantaa", "lifted_on": None, "lifted_by": None,
        "in_force": True,
    }]})

    hold_id: str
    municipality_code: str
    scope: records.HoldScope
    target_id: str
    basis: records.HoldBasis
    reference: str
    placed_on: date
    held_until: date
    placed_by: str
    lifted_on: date | None
    lifted_by: str | None
    in_force: bool = Field(description="in force on the day asked for")


class Controller(BaseModel):
    kind: str = Field(description="association (the programme's own register) or wellbeing_services_county")
    county_code: str | None


class ScheduledRecord(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "child_id": "child-092-0001", "municipality_code": "092", "register_kind": "purchased_service",
        "controller": {"kind": "wellbeing_services_county", "county_code": "12"},
        "retention_class": "family_services_record", "clock_started_on": "2026-02-01", "due_on": "2056-02-01",
        "status": "kept", "held_by": [], "reason": "family_services_record: kept 30 years after ...",
    }]})

    child_id: str
    municipality_code: str | None
    register_kind: records.Register
    controller: Controller
    retention_class: str
    clock_started_on: date | None
    due_on: date | None
    status: str = Field(description="kept (not due), held (due, but a legal hold keeps it) or due")
    held_by: list[str] = Field(description="the legal holds in force that keep the record")
    reason: str


def hold_view(hold: records.LegalHold, day: date) -> HoldView:
    return HoldView(
        hold_id=hold.hold_id, municipality_code=hold.municipality_code, scope=hold.scope, target_id=hold.target_id,
        basis=hold.basis, reference=hold.reference, placed_on=hold.placed_on, held_until=hold.held_until,
        placed_by=hold.placed_by, lifted_on=hold.lifted_on, lifted_by=hold.lifted_by, in_force=hold.in_force_on(day),
    )


async def _run(
    enrollment: Enrollment, access: Access, key: str, target: str, body: BaseModel, handler: Any, command: Any
) -> Outcome:
    principal = access.principal
    guard = HttpGuard(access, await enrollment.relations(principal, from_log=True))
    idempotency = Idempotency(
        key=f"{principal.subject}:{key}",
        fingerprint=fingerprint({"endpoint": access.endpoint, "id": target, "body": body.model_dump(mode="json")}),
    )
    writer = enrollment.writer(EventMetadata(actor=principal.subject), idempotency)
    outcome: Outcome = await writer.previous() or await handler(writer, guard, command)
    return outcome


def _answer(outcome: Outcome, response: Response) -> CommandResponse:
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    result = outcome.result
    return CommandResponse(
        kind=str(result.get("kind", "")), id=str(result.get("id", "")),
        events=[str(e) for e in result.get("events", [])], replayed=outcome.replayed,
    )


def _reason(record: Any, day: date) -> str:
    status = record.status(day)
    if record.due_on is None:
        return f"{record.retention_class}: the clock has not started (the child is still in the programme or pipeline)"
    if status == "held":
        holds = "; ".join(hold.describe() for hold in record.holds)
        return f"{record.retention_class}: the period ended on {record.due_on.isoformat()}, kept under {holds}"
    verb = "ended" if status == "due" else "ends"
    return (f"{record.retention_class}: kept from {record.clock_started_on.isoformat()}; the period {verb} on "
            f"{record.due_on.isoformat()}")


def retention_router() -> APIRouter:
    router = APIRouter(tags=["retention"], responses=ERROR_RESPONSES)

    @router.post("/teams/{team_id}/register", summary="Record the register and controller of the team's records",
                 response_model=CommandResponse)
    async def record_team_register(
        team_id: IdPath, body: RegisterRequest, idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(record_register_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)], response: Response,
    ) -> CommandResponse:
        command = records.RecordTeamRegister(team_id=team_id, at=enrollment.clock(), **body.model_dump())
        outcome = await _run(enrollment, access, idempotency_key, team_id, body, rh.record_team_register, command)
        return _answer(outcome, response)

    @router.post("/legal-holds/{hold_id}", summary="Place a legal hold: records are kept past their retention period",
                 response_model=CommandResponse)
    async def place_legal_hold(
        hold_id: IdPath, body: PlaceHoldRequest, idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(place_hold_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)], response: Response,
    ) -> CommandResponse:
        command = records.PlaceLegalHold(
            hold_id=hold_id, placed_by=access.principal.subject, at=enrollment.clock(), **body.model_dump()
        )
        outcome = await _run(enrollment, access, idempotency_key, hold_id, body, rh.place_legal_hold, command)
        return _answer(outcome, response)

    @router.post("/legal-holds/{hold_id}/lifting", summary="Lift a legal hold", response_model=CommandResponse)
    async def lift_legal_hold(
        hold_id: IdPath, body: LiftHoldRequest, idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(lift_hold_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)], response: Response,
    ) -> CommandResponse:
        command = records.LiftLegalHold(
            hold_id=hold_id, lifted_by=access.principal.subject, at=enrollment.clock(), **body.model_dump()
        )
        outcome = await _run(enrollment, access, idempotency_key, hold_id, body, rh.lift_legal_hold, command)
        return _answer(outcome, response)

    @router.get("/legal-holds", summary="The legal holds of the caller's municipalities", response_model=list[HoldView])
    async def legal_holds(
        access: Annotated[Access, Depends(read_holds_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        on: Annotated[date | None, Query(description="the day asked about (default: today)")] = None,
    ) -> list[HoldView]:
        day = on or service_day(enrollment.clock())
        tenants = access.principal.tenants
        holds = await enrollment.retention_facts.legal_holds()
        return [hold_view(hold, day) for hold in holds if hold.municipality_code in tenants]

    @router.get("/retention/schedule", summary="Each child record's controller, register, retention and holds",
                response_model=list[ScheduledRecord])
    async def retention_schedule(
        access: Annotated[Access, Depends(read_schedule_rule)],
        enrollment: Annotated[Enrollment, Depends(get_enrollment)],
        on: Annotated[date | None, Query(description="the day asked about (default: today)")] = None,
    ) -> list[ScheduledRecord]:
        day = on or service_day(enrollment.clock())
        facts = enrollment.retention_facts
        tenants = access.principal.tenants
        children = [c for c in await facts.children(STATUS_EVENTS) if c.tenant in tenants]
        found = schedule(children, today=day, policy=enrollment.retention_policy,
                         registers=await facts.team_registers(), holds=await facts.legal_holds())
        return [
            ScheduledRecord(
                child_id=r.child_id, municipality_code=r.tenant, register_kind=r.register,
                controller=Controller(
                    kind="association" if r.controller_county_code is None else "wellbeing_services_county",
                    county_code=r.controller_county_code,
                ),
                retention_class=r.retention_class, clock_started_on=r.clock_started_on, due_on=r.due_on,
                status=r.status(day), held_by=[h.hold_id for h in r.holds], reason=_reason(r, day),
            )
            for r in found
        ]

    return router
