"""The command API under /v1: one POST route per billing command.

Every route: the caller's access rule, an `Idempotency-Key` header, a body that is the command without its
id (taken from the path) and without `today` (the service's day). Domain refusals answer 422 (bad value,
broken rule) or 409 (not possible now: a period already invoiced, a document already issued) with the field
path; another municipality's agreement or document answers 404.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field, create_model
from rinnalla_events import CommandWriter, EventMetadata, Idempotency, Outcome, fingerprint
from rinnalla_security import Access, Action, Role, authorize

from rinnalla_billing.adapters.dependencies import HttpGuard, IdempotencyKey, get_billing
from rinnalla_billing.adapters.errors import ERROR_RESPONSES
from rinnalla_billing.adapters.examples import COMMAND_ANSWER, EXAMPLES
from rinnalla_billing.application import handlers as h
from rinnalla_billing.application.ports import EnrollmentFacts, Guard
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain import commands as c
from rinnalla_billing.domain import sib

Handler = Callable[[CommandWriter, Guard, EnrollmentFacts, Any], Awaitable[Outcome]]

FINANCE = {Role.FINANCE, Role.ADMIN}
PAYMENT_REPORTERS = {Role.FINANCE, Role.ERP_CLIENT, Role.ADMIN}
VERIFIERS = {Role.MUNICIPALITY_OFFICIAL, Role.ADMIN}


class CommandResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [COMMAND_ANSWER]})

    kind: str = Field(description="agreement, document, erp_client or sib_contract")
    id: str = Field(description="the id of the record the command was for")
    events: list[str] = Field(description="the events recorded (empty when nothing changed)")
    documents: list[str] = Field(description="the documents the command drafted or changed")
    replayed: bool = Field(description="true when this answers a retry of an earlier request")


def _without_facts(handler: Callable[[CommandWriter, Guard, Any], Awaitable[Outcome]]) -> Handler:
    async def run(writer: CommandWriter, guard: Guard, facts: EnrollmentFacts, command: Any) -> Outcome:
        return await handler(writer, guard, command)

    return run


@dataclass(frozen=True)
class CommandRoute:
    path: str
    command: type[BaseModel]
    id_field: str
    handler: Handler
    action: Action
    roles: frozenset[Role]
    summary: str
    retry_on_conflict: bool = False


def _route(
    path: str, command: type[BaseModel], id_field: str, handler: Handler, action: str, roles: set[Role],
    summary: str, *, retry_on_conflict: bool = False,
) -> CommandRoute:
    resource, verb = action.split(".")
    return CommandRoute(
        path, command, id_field, handler, Action.write(resource, verb), frozenset(roles), summary, retry_on_conflict
    )


ROUTES: tuple[CommandRoute, ...] = (
    _route("/agreements/{agreement_id}", c.SetUpAgreement, "agreement_id", h.set_up_agreement,
           "billing_agreement.set_up", FINANCE,
           "Set up the billing terms of an enrollment partnership (payers, shares, e-invoice addresses, VAT)"),
    _route("/agreements/{agreement_id}/amendments", c.AmendAgreement, "agreement_id",
           _without_facts(h.change_agreement), "billing_agreement.amend", FINANCE,
           "Amend the price, payers or VAT treatment from a date on"),
    _route("/agreements/{agreement_id}/index-adjustments", c.AdjustPriceByIndex, "agreement_id",
           _without_facts(h.change_agreement), "billing_agreement.adjust_index", FINANCE,
           "Adjust the price per team by an index change from a date on"),
    _route("/agreements/{agreement_id}/termination", c.TerminateAgreement, "agreement_id",
           _without_facts(h.change_agreement), "billing_agreement.terminate", FINANCE,
           "Terminate the agreement: nothing is charged after its last day"),
    _route("/agreements/{agreement_id}/runs", c.DraftInvoices, "agreement_id", h.draft,
           "billing_run.draft", FINANCE,
           "Draft the period's invoices per payer, with the corrections late events call for"),
    _route("/agreements/{agreement_id}/corrections", c.DraftCorrections, "agreement_id", h.draft,
           "billing_run.correct", FINANCE,
           "Draft only the corrections of periods already invoiced (credit notes citing the invoices)"),
    _route("/documents/{document_id}/issue", c.IssueDocument, "document_id", _without_facts(h.issue_document),
           "invoice.issue", FINANCE, "Issue a draft: its number in the series, its payment reference; final",
           retry_on_conflict=True),
    _route("/documents/{document_id}/discard", c.DiscardDraft, "document_id", _without_facts(h.discard_draft),
           "invoice.discard", FINANCE, "Discard a draft (an issued document is corrected by a credit note)"),
    _route("/documents/{document_id}/delivery", c.RecordDelivery, "document_id", _without_facts(h.on_document),
           "invoice.record_delivery", FINANCE, "Record that the document reached the payer"),
    _route("/documents/{document_id}/delivery-failure", c.RecordDeliveryFailure, "document_id",
           _without_facts(h.on_document), "invoice.record_delivery_failure", FINANCE,
           "Record a failed delivery (the document keeps its number)"),
    _route("/sib-contracts/{contract_id}", sib.SetUpSibContract, "contract_id", _without_facts(h.set_up_sib_contract),
           "sib_contract.set_up", FINANCE,
           "Set up an outcome contract: parties, cohort target, horizon, metrics with their payment rules"),
    _route("/sib-contracts/{contract_id}/results", sib.SubmitResult, "contract_id", _without_facts(h.on_sib_result),
           "sib_contract.submit_result", {Role.EVALUATOR},
           "The evaluator submits a result: value, counterfactual, n and the evidence's SHA-256"),
    _route("/sib-contracts/{contract_id}/verifications", sib.VerifyResult, "contract_id",
           _without_facts(h.on_sib_result), "sib_contract.verify_result", VERIFIERS,
           "Verify a submitted result (then its payment can be billed)"),
    _route("/sib-contracts/{contract_id}/disputes", sib.DisputeResult, "contract_id", _without_facts(h.on_sib_result),
           "sib_contract.dispute_result", VERIFIERS, "Dispute a submitted result (the evaluator submits again)"),
    _route("/sib-contracts/{contract_id}/payments", sib.BillOutcomePayment, "contract_id",
           _without_facts(h.bill_outcome_payment), "sib_contract.bill_payment", FINANCE,
           "Compute the outcome payment of a verified result and draft its invoice (409 before verification)"),
    _route("/sib-contracts/{contract_id}/reinvestments", sib.RecordReinvestment, "contract_id",
           _without_facts(h.record_reinvestment), "sib_contract.record_reinvestment", FINANCE,
           "Record outcome payments put back into the programme (409 beyond the payments billed)"),
    _route("/documents/{document_id}/payments", c.RecordPayment, "document_id", _without_facts(h.on_document),
           "invoice.record_payment", PAYMENT_REPORTERS,
           "Report a payment (the ERP's payment id makes a repeated report count once)"),
)


def request_model(command: type[BaseModel], id_field: str) -> type[BaseModel]:
    """The command's body: its fields without the path id and without `today` (the service's day)."""
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in command.model_fields.items() if name not in {id_field, "today"}
    }
    example = EXAMPLES.get(command.__name__)
    extra: dict[str, Any] | None = {"examples": [example]} if example is not None else None
    config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=extra)
    model: type[BaseModel] = create_model(f"{command.__name__}Request", __config__=config, **fields)
    model.__doc__ = command.__doc__
    return model


async def execute(route: CommandRoute, billing: Billing, access: Access, key: str, stream_id: str, body: BaseModel) -> (
    Outcome
):
    data = {**body.model_dump(), route.id_field: stream_id}
    if "today" in route.command.model_fields:
        data["today"] = billing.today()
    command = route.command.model_validate(data)
    principal = access.principal
    idempotency = Idempotency(
        key=f"{principal.subject}:{key}",
        fingerprint=fingerprint({"endpoint": access.endpoint, "id": stream_id, "body": body.model_dump(mode="json")}),
    )
    guard = HttpGuard(access)

    async def attempt() -> Outcome:
        writer = billing.writer(EventMetadata(actor=principal.subject), idempotency)
        previous = await writer.previous()
        return previous or await route.handler(writer, guard, billing.facts, command)

    return await h.retrying(attempt, h.MAX_ATTEMPTS if route.retry_on_conflict else 1)


def _endpoint(route: CommandRoute) -> Callable[..., Awaitable[CommandResponse]]:
    body_model = request_model(route.command, route.id_field)
    rule = authorize(route.action, roles=route.roles, description=route.summary)

    async def endpoint(**kwargs: Any) -> CommandResponse:
        outcome = await execute(
            route, kwargs["billing"], kwargs["access"], kwargs["idempotency_key"], kwargs[route.id_field],
            kwargs["body"],
        )
        response: Response = kwargs["response"]
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        result = outcome.result
        return CommandResponse(
            kind=str(result.get("kind", "")), id=str(result.get("id", "")),
            events=[str(e) for e in result.get("events", [])],
            documents=[str(d) for d in result.get("documents", [])], replayed=outcome.replayed,
        )

    parameter = inspect.Parameter
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            parameter(route.id_field, parameter.KEYWORD_ONLY,
                      annotation=Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]),
            parameter("body", parameter.KEYWORD_ONLY, annotation=body_model),
            parameter("idempotency_key", parameter.KEYWORD_ONLY, annotation=IdempotencyKey),
            parameter("access", parameter.KEYWORD_ONLY, annotation=Annotated[Access, Depends(rule)]),
            parameter("billing", parameter.KEYWORD_ONLY, annotation=Annotated[Billing, Depends(get_billing)]),
            parameter("response", parameter.KEYWORD_ONLY, annotation=Response),
        ]
    )
    endpoint.__name__ = route.command.__name__
    return endpoint


def command_router() -> APIRouter:
    router = APIRouter(tags=["commands"])
    for route in ROUTES:
        router.add_api_route(
            route.path, _endpoint(route), methods=["POST"], summary=route.summary,
            response_model=CommandResponse, responses=ERROR_RESPONSES,
        )
    return router
