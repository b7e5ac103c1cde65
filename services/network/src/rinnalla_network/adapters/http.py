"""The command API under /v1: the partner directory and referrals.

Every route: the caller's access rule, an `Idempotency-Key` header, a body that is the command without its id
(from the path), without `at` (the server's clock) and without who acts (from the token). Sending a referral
writes a disclosure-log row naming the fields sent and the consent or law it rests on. Recipients act on their
own referrals with their own credentials: another organisation's referral answers 404.
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

from rinnalla_network.adapters.dependencies import HttpGuard, IdempotencyKey, get_network
from rinnalla_network.adapters.errors import ERROR_RESPONSES
from rinnalla_network.adapters.examples import EXAMPLES
from rinnalla_network.application import handlers as h
from rinnalla_network.bootstrap import Network
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import events as e
from rinnalla_network.domain import family_partnership as fp

Handler = Callable[[Network, CommandWriter, HttpGuard, Any], Awaitable[Outcome]]

DIRECTORY_KEEPERS = {Role.COORDINATOR, Role.ADMIN}
SENDERS = {Role.MENTOR, Role.COORDINATOR}
RECEIVERS = {Role.COUNTY_SOCIAL_WORKER, Role.SCHOOL, Role.PARTNER_ORGANISATION}
FAMILY_WORKERS = {Role.PARTNER_ORGANISATION, Role.COORDINATOR}
SENDER_PURPOSES = ("network_meeting", "safeguarding", "programme_delivery")


class CommandResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "referral", "id": "referral-0001", "events": ["network.ReferralSent"], "replayed": False}
    ]})

    kind: str = Field(description="partner or referral")
    id: str = Field(description="the id of the record the command was for")
    events: list[str] = Field(description="the events recorded (empty when nothing changed)")
    replayed: bool = Field(description="true when this answers a retry of an earlier request")


async def _partner(network: Network, writer: CommandWriter, guard: HttpGuard, command: Any) -> Outcome:
    return await h.on_partner(writer, guard, command)


async def _send(network: Network, writer: CommandWriter, guard: HttpGuard, command: Any) -> Outcome:
    return await h.send_referral(writer, guard, network.children, network.freshness, network.levels, command)


async def _family(network: Network, writer: CommandWriter, guard: HttpGuard, command: Any) -> Outcome:
    return await h.on_family(writer, guard, command)


async def _lifecycle(network: Network, writer: CommandWriter, guard: HttpGuard, command: Any) -> Outcome:
    return await h.on_referral(writer, guard, command)


@dataclass(frozen=True)
class CommandRoute:
    path: str
    command: type[c.Command]
    id_field: str
    handler: Handler
    action: Action
    roles: frozenset[Role]
    summary: str
    personal_data: bool = False
    # command fields the caller's token fills (never the body)
    actor_field: str | None = None


def _route(
    path: str, command: type[c.Command], id_field: str, handler: Handler, action: str, roles: set[Role],
    summary: str, *, personal_data: bool = False, actor_field: str | None = None,
) -> CommandRoute:
    resource, verb = action.split(".")
    return CommandRoute(path, command, id_field, handler, Action.write(resource, verb), frozenset(roles), summary,
                        personal_data, actor_field)


ROUTES: tuple[CommandRoute, ...] = (
    _route("/partners/{organisation_id}", c.RegisterPartner, "organisation_id", _partner, "partner.register",
           DIRECTORY_KEEPERS, "Register an organisation that receives referrals (Y-tunnus checked; no e-mail channel)"),
    _route("/partners/{organisation_id}/services", c.ChangePartnerServices, "organisation_id", _partner,
           "partner.change_services", DIRECTORY_KEEPERS, "Change the services and the municipalities it serves"),
    _route("/partners/{organisation_id}/channel", c.ChangePartnerChannel, "organisation_id", _partner,
           "partner.change_channel", DIRECTORY_KEEPERS,
           "Change how it receives referrals: the API, or offline by phone or secure form"),
    _route("/partners/{organisation_id}/inbound-pause", c.PauseInbound, "organisation_id", _partner,
           "partner.pause", DIRECTORY_KEEPERS, "Pause new referrals to the organisation (open ones continue)"),
    _route("/partners/{organisation_id}/inbound-resumption", c.ResumeInbound, "organisation_id", _partner,
           "partner.resume", DIRECTORY_KEEPERS, "Take new referrals again"),
    _route("/referrals/{referral_id}", c.SendReferral, "referral_id", _send, "referral.send", SENDERS,
           "Send a referral (consent or a recorded legal basis, a whitelisted packet, a disclosure-log row)",
           personal_data=True, actor_field="sender_id"),
    _route("/referrals/{referral_id}/receipt", c.ReceiveReferral, "referral_id", _lifecycle, "referral.receive",
           RECEIVERS, "The recipient acknowledges the referral", actor_field="by"),
    _route("/referrals/{referral_id}/acceptance", c.AcceptReferral, "referral_id", _lifecycle, "referral.accept",
           RECEIVERS, "The recipient accepts the referral", actor_field="by"),
    _route("/referrals/{referral_id}/decline", c.DeclineReferral, "referral_id", _lifecycle, "referral.decline",
           RECEIVERS, "The recipient declines, with the reason", actor_field="by"),
    _route("/referrals/{referral_id}/start", c.StartReferral, "referral_id", _lifecycle, "referral.start",
           RECEIVERS, "The service has started (in progress)", actor_field="by"),
    _route("/referrals/{referral_id}/outcome", c.CompleteReferral, "referral_id", _lifecycle, "referral.complete",
           RECEIVERS | SENDERS,
           "Complete with the outcome: the recipient, or the sender for an organisation that never logs in "
           "(by_sender)", actor_field="by"),
    _route("/family-partnerships/{partnership_id}", fp.ReferFamily, "partnership_id", _family, "family.refer",
           FAMILY_WORKERS, "A family is referred to a family partner (resource steering, ECEC or the child health "
           "clinic)"),
    _route("/family-partnerships/{partnership_id}/initial-assessment", fp.CompleteInitialAssessment,
           "partnership_id", _family, "family.assess", FAMILY_WORKERS, "The initial assessment is done",
           actor_field="by"),
    _route("/family-partnerships/{partnership_id}/support-plan", fp.AgreeSupportPlan, "partnership_id", _family,
           "family.plan", FAMILY_WORKERS, "The support plan is agreed (needs the initial assessment)",
           actor_field="by"),
    _route("/family-partnerships/{partnership_id}/plan-reviews", fp.ReviewSupportPlan, "partnership_id", _family,
           "family.review", FAMILY_WORKERS, "The plan's goals are reviewed", actor_field="by"),
    _route("/family-partnerships/{partnership_id}/meetings", fp.RecordFamilyMeeting, "partnership_id", _family,
           "family.meet", FAMILY_WORKERS, "A meeting with the family", actor_field="by"),
    _route("/family-partnerships/{partnership_id}/tapering", fp.ReduceIntensity, "partnership_id", _family,
           "family.taper", FAMILY_WORKERS, "The work tapers off towards a controlled closure", actor_field="by"),
    _route("/family-partnerships/{partnership_id}/closure", fp.CloseInControl, "partnership_id", _family,
           "family.close", FAMILY_WORKERS, "A controlled closure (needs a support plan)", actor_field="by"),
    _route("/family-partnerships/{partnership_id}/early-closure", fp.CloseEarly, "partnership_id", _family,
           "family.close_early", FAMILY_WORKERS, "The relationship closes early, with the reason",
           actor_field="by"),
    _route("/referrals/{referral_id}/withdrawal", c.WithdrawReferral, "referral_id", _lifecycle,
           "referral.withdraw", SENDERS, "The sender withdraws the referral", actor_field="by"),
)


def request_model(route: CommandRoute) -> type[BaseModel]:
    hidden = {route.id_field, "at", "sender_name", *([route.actor_field] if route.actor_field else [])}
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in route.command.model_fields.items() if name not in hidden
    }
    example = EXAMPLES.get(route.command.__name__)
    extra: dict[str, Any] | None = {"examples": [example]} if example is not None else None
    config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=extra)
    model: type[BaseModel] = create_model(f"{route.command.__name__}Request", __config__=config, **fields)
    model.__doc__ = route.command.__doc__
    return model


async def execute(
    route: CommandRoute, network: Network, access: Access, key: str, stream_id: str, body: BaseModel
) -> Outcome:
    principal = access.principal
    data = {**body.model_dump(), route.id_field: stream_id, "at": network.clock()}
    if route.actor_field is not None:
        data[route.actor_field] = principal.subject
    if route.command is c.SendReferral:
        data["sender_name"] = principal.name
    command = route.command.model_validate(data)
    teams: frozenset[str] = frozenset()
    if principal.has_role(Role.MENTOR):
        # A mentor's teams come from the same projection of enrollment: current too, before they are read.
        await network.freshness.ensure_current()
        teams = await network.children.mentored_teams(principal.subject)
    guard = HttpGuard(access, teams)
    idempotency = Idempotency(
        key=f"{principal.subject}:{key}",
        fingerprint=fingerprint({"endpoint": access.endpoint, "id": stream_id, "body": body.model_dump(mode="json")}),
    )
    writer = network.writer(EventMetadata(actor=principal.subject), idempotency)
    previous = await writer.previous()
    outcome = previous or await route.handler(network, writer, guard, command)
    if isinstance(command, c.SendReferral):
        await _log_disclosure(network, access, command, outcome)
    return outcome


async def _log_disclosure(network: Network, access: Access, command: c.SendReferral, outcome: Outcome) -> None:
    """The disclosure-log row of a send: to whom, which fields, on which consent or law. A retry, or a send
    that decided nothing, disclosed nothing new: it logs the access only."""
    sent = None
    if outcome.changed and not outcome.replayed:
        stored = await network.runtime.store.read_stream("referral", command.referral_id)
        sent = next((r.event for r in stored if isinstance(r.event, e.ReferralSent)), None)
    if sent is None:
        await access.record(command.child_id)
        return
    disclosed = (
        f"referral {sent.referral_id} ({sent.service_type.value}): "
        + ", ".join(field.value for field in sent.fields_sent)
    )
    await access.record_disclosure(
        sent.child_id, recipient_organisation=sent.organisation_id, disclosed=disclosed,
        consent_id=",".join(sent.consent_ids) or None,
        legal_basis=sent.basis if sent.legal_basis is not None else None, tenant=sent.municipality_code,
    )


def _endpoint(route: CommandRoute) -> Callable[..., Awaitable[CommandResponse]]:
    body_model = request_model(route)
    rule = authorize(
        route.action, roles=route.roles, personal_data=route.personal_data, description=route.summary,
        purposes=SENDER_PURPOSES if route.personal_data else None,
    )

    async def endpoint(**kwargs: Any) -> CommandResponse:
        outcome = await execute(route, kwargs["network"], kwargs["access"], kwargs["idempotency_key"],
                                kwargs[route.id_field], kwargs["body"])
        response: Response = kwargs["response"]
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        result = outcome.result
        return CommandResponse(kind=str(result.get("kind", "")), id=str(result.get("id", "")),
                               events=[str(x) for x in result.get("events", [])], replayed=outcome.replayed)

    parameter = inspect.Parameter
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            parameter(route.id_field, parameter.KEYWORD_ONLY,
                      annotation=Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]),
            parameter("body", parameter.KEYWORD_ONLY, annotation=body_model),
            parameter("idempotency_key", parameter.KEYWORD_ONLY, annotation=IdempotencyKey),
            parameter("access", parameter.KEYWORD_ONLY, annotation=Annotated[Access, Depends(rule)]),
            parameter("network", parameter.KEYWORD_ONLY, annotation=Annotated[Network, Depends(get_network)]),
            parameter("response", parameter.KEYWORD_ONLY, annotation=Response),
        ]
    )
    endpoint.__name__ = route.command.__name__
    return endpoint


def command_router() -> APIRouter:
    router = APIRouter(tags=["commands"])
    for route in ROUTES:
        router.add_api_route(route.path, _endpoint(route), methods=["POST"], summary=route.summary,
                             response_model=CommandResponse, responses=ERROR_RESPONSES)
    return router
