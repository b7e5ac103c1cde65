"""The command API under /v1: one POST route per domain command.

Every route: the caller's access rule (`authorize`), an `Idempotency-Key` header, a body that is the
command without its id (taken from the path) and without `at` (the server's clock). Domain refusals
answer 422 (bad value, broken rule) or 409 (wrong moment, concurrent change) with the field path;
another municipality's or another mentor's record answers 404. Which teams and children a mentor or
guardian reaches is read from the event store before the command runs (access follows the log).
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model
from rinnalla_events import EventMetadata, Idempotency, Outcome, fingerprint
from rinnalla_security import Access, Action, Principal, Role, authorize

from rinnalla_enrollment.adapters.dependencies import HttpGuard, IdempotencyKey, get_enrollment
from rinnalla_enrollment.adapters.erasure_http import refuse_if_erased
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES
from rinnalla_enrollment.adapters.examples import COMMAND_ANSWER, EXAMPLES, examples
from rinnalla_enrollment.application import handlers as h
from rinnalla_enrollment.application.policies import Guard
from rinnalla_enrollment.application.writer import EnrollmentWriter
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.errors import RuleViolated

Handler = Callable[[EnrollmentWriter, Guard, Any], Awaitable[Outcome]]

STAFF = {Role.COORDINATOR, Role.ADMIN}
# Who may record a statement from a signed document in the name of the person who signed it.
DOCUMENT_RECORDERS = {Role.COORDINATOR, Role.MENTOR, Role.ADMIN}
# Who may make a statement through their own login.
STATEMENT_MAKERS = {Role.GUARDIAN, Role.CHILD}
FIELD_STAFF = {Role.COORDINATOR, Role.MENTOR, Role.ADMIN}
CONSENT_GIVERS = {Role.COORDINATOR, Role.MENTOR, Role.GUARDIAN, Role.CHILD, Role.ADMIN}


class CommandResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(COMMAND_ANSWER))

    kind: str = Field(description="partnership, team or child")
    id: str = Field(description="the id of the record the command was for")
    events: list[str] = Field(description="the events recorded (empty when nothing changed)")
    replayed: bool = Field(description="true when this answers a retry of an earlier request")


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
    # Command fields filled with the caller's person id from the token (never from the body).
    token_fields: frozenset[str] = frozenset()
    # The command field naming who made the statement: the caller, or the person who signed the document
    # that staff record (the body's `signed_by`).
    signer: str | None = None


def _route(
    path: str, command: type[c.Command], id_field: str, handler: Handler, action: str, roles: set[Role],
    summary: str, *, personal_data: bool = False, token_fields: tuple[str, ...] = (), signer: str | None = None,
) -> CommandRoute:
    resource, verb = action.split(".")
    return CommandRoute(
        path, command, id_field, handler, Action.write(resource, verb), frozenset(roles), summary, personal_data,
        frozenset(token_fields), signer,
    )


SIGNED_BY_DESCRIPTION = (
    "Staff recording a signed document: the person who signed it (a guardian, or the child). Leave it out "
    "to record your own statement (a guardian or the child, logged in): it is then yours, from your token."
)


def stated_by(principal: Principal, signed_by: str | None) -> str:
    """Whose statement this is: the caller's own, or (staff only) the person who signed the document."""
    if signed_by is None:
        if not principal.has_role(*STATEMENT_MAKERS):
            raise RuleViolated(
                "signed_by", "staff record a statement from a signed document: name the person who signed it"
            )
        return principal.subject
    if signed_by == principal.subject:
        return signed_by
    if not principal.has_role(*DOCUMENT_RECORDERS):
        raise RuleViolated(
            "signed_by", "you may record only your own statement; staff record signed documents in others' names"
        )
    return signed_by


ROUTES: tuple[CommandRoute, ...] = (
    _route("/partnerships/{partnership_id}", c.OpenPartnership, "partnership_id", h.open_partnership,
           "partnership.open", STAFF, "Register a partnership with a municipality (negotiations start)"),
    _route("/partnerships/{partnership_id}/agreement", c.SignPartnershipAgreement, "partnership_id",
           h.sign_partnership_agreement, "partnership.sign", STAFF,
           "Record the signed partnership agreement (at least two teams)"),
    _route("/partnerships/{partnership_id}/cost-sharing", c.AgreeCostSharing, "partnership_id", h.on_partnership,
           "partnership.agree_cost_sharing", STAFF,
           "Agree the price of a team per year and its split between the payers (shares sum to 100 %)"),
    _route("/partnerships/{partnership_id}/negotiation-failure", c.RecordNegotiationFailure, "partnership_id",
           h.on_partnership, "partnership.record_failure", STAFF, "Record that the negotiations failed"),
    _route("/partnerships/{partnership_id}/county-counterpart", c.ChangeCountyCounterpart, "partnership_id",
           h.on_partnership, "partnership.change_county", STAFF,
           "Change the wellbeing services county the partnership is with (a reorganisation)"),
    _route("/partnerships/{partnership_id}/ending", c.EndPartnership, "partnership_id", h.on_partnership,
           "partnership.end", STAFF, "End the partnership agreement"),
    _route("/teams/{team_id}", c.FoundTeam, "team_id", h.found_team, "team.found", STAFF, "Found a team"),
    _route("/teams/{team_id}/activation", c.ActivateTeam, "team_id", h.on_team, "team.activate", STAFF,
           "School starts: the team becomes active"),
    _route("/teams/{team_id}/sport", c.ChooseSport, "team_id", h.on_team, "team.choose_sport", STAFF,
           "Choose the team's sport"),
    _route("/teams/{team_id}/schools", c.ChangeTeamSchools, "team_id", h.on_team, "team.change_schools", STAFF,
           "Change the team's main school and the other schools its children attend"),
    _route("/teams/{team_id}/max-size", c.ChangeMaxSize, "team_id", h.on_team, "team.change_max_size", STAFF,
           "Change the team's maximum number of children"),
    _route("/teams/{team_id}/funding", c.CommitFunding, "team_id", h.on_team, "team.commit_funding", STAFF,
           "Record a funder's commitment for one year of the team (replaces the funder's earlier one)"),
    _route("/teams/{team_id}/completion", c.CompleteTeam, "team_id", h.change_mentors, "team.complete", STAFF,
           "The team completes its twelve years"),
    _route("/teams/{team_id}/termination", c.TerminateTeam, "team_id", h.change_mentors, "team.terminate", STAFF,
           "End the team early, with the reason"),
    _route("/teams/{team_id}/mentors", c.AssignMentor, "team_id", h.change_mentors, "team.assign_mentor", STAFF,
           "Assign a mentor to the team"),
    _route("/teams/{team_id}/mentor-departures", c.ReleaseMentor, "team_id", h.change_mentors, "team.release_mentor",
           STAFF, "A mentor leaves the team (the lead post may become vacant)"),
    _route("/teams/{team_id}/mentor-handovers", c.HandOverMentor, "team_id", h.change_mentors, "team.hand_over",
           STAFF, "One mentor hands the team over to another on the same day"),
    _route("/children/{child_id}/nomination", c.NominateChild, "child_id", h.nominate_child, "child.nominate",
           STAFF, "Nominate a child (the multi-professional group's preschool selection)", personal_data=True),
    _route("/children/{child_id}/guardians-informed", c.InformGuardians, "child_id", h.on_child,
           "child.inform_guardians", FIELD_STAFF, "Record that the guardians were informed and offered a place",
           personal_data=True),
    _route("/children/{child_id}/guardians", c.ChangeGuardians, "child_id", h.on_child, "child.change_guardians",
           FIELD_STAFF, "Replace the list of the child's guardians", personal_data=True),
    _route("/children/{child_id}/selection", c.SelectChild, "child_id", h.decide_selection, "child.select",
           STAFF, "Select the child for a team", personal_data=True),
    _route("/children/{child_id}/waitlisting", c.WaitlistChild, "child_id", h.decide_selection,
           "child.waitlist", STAFF, "Put the child on a team's waiting list", personal_data=True),
    _route("/children/{child_id}/non-selection", c.RecordChildNotSelected, "child_id", h.on_child,
           "child.not_select", STAFF, "Record that the child was not selected", personal_data=True),
    _route("/children/{child_id}/enrolment", c.EnrolChild, "child_id", h.enrol_child, "child.enrol", STAFF,
           "Enrol a selected child in the team (needs the participation consent)", personal_data=True),
    _route("/children/{child_id}/permanent-identity-code", c.RecordPermanentIdentityCode, "child_id",
           h.record_permanent_identity, "child.record_identity_code", STAFF,
           "Record the permanent identity code of a child enrolled with a temporary code or none",
           personal_data=True),
    _route("/children/{child_id}/school", c.ChangeSchool, "child_id", h.on_child, "child.change_school",
           FIELD_STAFF, "The child changes school or class", personal_data=True),
    _route("/children/{child_id}/transfer", c.TransferChild, "child_id", h.transfer_child, "child.transfer",
           STAFF, "Move the child to another team", personal_data=True),
    _route("/children/{child_id}/exit", c.ExitChild, "child_id", h.end_participation, "child.exit", STAFF,
           "The child leaves the programme early", personal_data=True),
    _route("/children/{child_id}/completion", c.CompleteChildProgramme, "child_id", h.end_participation,
           "child.complete", STAFF, "The child completes the programme", personal_data=True),
    _route("/children/{child_id}/follow-up", c.StartFollowUp, "child_id", h.on_child, "child.follow_up", STAFF,
           "Keep the completed child's record under the research follow-up until age 20", personal_data=True),
    _route("/children/{child_id}/consents", c.GiveConsent, "child_id", h.on_child, "consent.give",
           CONSENT_GIVERS, "Record a consent (per purpose): your own, or staff recording a signed form",
           personal_data=True, token_fields=("recorded_by",), signer="given_by"),
    _route("/children/{child_id}/consent-refusals", c.RefuseConsent, "child_id", h.on_child, "consent.refuse",
           CONSENT_GIVERS, "Record that a guardian or the child declined a purpose (own, or a signed form)",
           personal_data=True, token_fields=("recorded_by",), signer="refused_by"),
    _route("/children/{child_id}/consent-withdrawals", c.WithdrawConsent, "child_id", h.withdraw_consent,
           "consent.withdraw", CONSENT_GIVERS,
           "Withdraw a consent (without a participation consent an enrolled child exits)", personal_data=True,
           token_fields=("recorded_by",), signer="withdrawn_by"),
    _route("/children/{child_id}/prohibitions", c.RecordMinorProhibition, "child_id", h.on_child,
           "consent.prohibit", {Role.CHILD, Role.COORDINATOR, Role.MENTOR, Role.ADMIN},
           "Record the minor's prohibition of disclosure (needs an assessment of understanding; may refuse "
           "guardians as recipients)", personal_data=True, token_fields=("recorded_by",)),
    _route("/children/{child_id}/prohibition-lifts", c.LiftMinorProhibition, "child_id", h.on_child,
           "consent.lift_prohibition", {Role.CHILD, Role.COORDINATOR, Role.MENTOR, Role.ADMIN},
           "Lift the minor's prohibition", personal_data=True, token_fields=("recorded_by",)),
    _route("/children/{child_id}/understanding-assessments", c.AssessMinorUnderstanding, "child_id", h.on_child,
           "consent.assess_understanding", FIELD_STAFF,
           "Record whether the child understands the matter (then the child's own word counts)",
           personal_data=True, token_fields=("assessed_by",)),
    _route("/children/{child_id}/custody-exceptions", c.RecordCustodyException, "child_id", h.on_child,
           "consent.record_custody_exception", STAFF,
           "Record why one guardian decides alone (sole custody, a court-ordered division of tasks, the other "
           "guardian unable to act), with its basis", personal_data=True, token_fields=("recorded_by",)),
    _route("/children/{child_id}/hearings", c.RecordChildHearing, "child_id", h.on_child,
           "consent.record_hearing", FIELD_STAFF,
           "Record that the child was heard (from age 12 before the guardians decide on participation)",
           personal_data=True, token_fields=("heard_by",)),
)


def request_model(
    command: type[c.Command], id_field: str, token_fields: frozenset[str] = frozenset(), signer: str | None = None
) -> type[BaseModel]:
    """The command's body: its fields without the path id, without `at` (the server's clock) and without the
    fields the caller's token fills; a statement's maker is `signed_by` (staff recording a signed document)."""
    hidden = {id_field, "at", *token_fields, *([signer] if signer else [])}
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in command.model_fields.items() if name not in hidden
    }
    if signer is not None:
        fields["signed_by"] = (
            Annotated[str | None, StringConstraints(min_length=1, max_length=100)],
            Field(default=None, description=SIGNED_BY_DESCRIPTION),
        )
    example = EXAMPLES.get(command.__name__)
    config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"examples": [example]} if example else None
    )
    model: type[BaseModel] = create_model(f"{command.__name__}Request", __config__=config, **fields)
    model.__doc__ = command.__doc__
    return model


async def execute(
    route: CommandRoute, enrollment: Enrollment, access: Access, key: str, stream_id: str, body: BaseModel
) -> Outcome:
    principal = access.principal
    values = body.model_dump()
    data = {**values, route.id_field: stream_id}
    if "at" in route.command.model_fields:
        data["at"] = enrollment.clock()
    for name in route.token_fields:
        data[name] = principal.subject
    if route.signer is not None:
        data[route.signer] = stated_by(principal, data.pop("signed_by"))
    command = route.command.model_validate(data)
    # From the event store, not the read model: a mentor assigned a moment ago acts at once (read-your-writes)
    guard = HttpGuard(access, await enrollment.relations(principal, from_log=True))
    if route.id_field == "child_id":
        await refuse_if_erased(enrollment, access, stream_id, guard.visibility)
    idempotency = Idempotency(
        key=f"{principal.subject}:{key}",
        fingerprint=fingerprint({"endpoint": access.endpoint, "id": stream_id, "body": body.model_dump(mode="json")}),
    )
    writer = enrollment.writer(EventMetadata(actor=principal.subject), idempotency)
    previous = await writer.previous()
    outcome = previous or await route.handler(writer, guard, command)
    if route.personal_data:
        if previous is not None:  # a retry reads no record, but still answers for the child
            await access.record(stream_id)
        else:
            await access.record(stream_id, tenant=guard.municipality_code)
    return outcome


def _endpoint(route: CommandRoute) -> Callable[..., Awaitable[CommandResponse]]:
    body_model = request_model(route.command, route.id_field, route.token_fields, route.signer)
    rule = authorize(route.action, roles=route.roles, personal_data=route.personal_data, description=route.summary)

    async def endpoint(**kwargs: Any) -> CommandResponse:
        outcome = await execute(
            route, kwargs["enrollment"], kwargs["access"], kwargs["idempotency_key"], kwargs[route.id_field],
            kwargs["body"],
        )
        response: Response = kwargs["response"]
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        result = outcome.result
        return CommandResponse(
            kind=str(result.get("kind", "")), id=str(result.get("id", "")),
            events=[str(e) for e in result.get("events", [])], replayed=outcome.replayed,
        )

    parameter = inspect.Parameter
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            parameter(route.id_field, parameter.KEYWORD_ONLY,
                      annotation=Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]),
            parameter("body", parameter.KEYWORD_ONLY, annotation=body_model),
            parameter("idempotency_key", parameter.KEYWORD_ONLY, annotation=IdempotencyKey),
            parameter("access", parameter.KEYWORD_ONLY, annotation=Annotated[Access, Depends(rule)]),
            parameter("enrollment", parameter.KEYWORD_ONLY, annotation=Annotated[Enrollment, Depends(get_enrollment)]),
            parameter("request", parameter.KEYWORD_ONLY, annotation=Request),
            parameter("response", parameter.KEYWORD_ONLY, annotation=Response),
        ]
    )
    endpoint.__name__ = route.command.__name__
    return endpoint


def command_router() -> APIRouter:
    router = APIRouter(tags=["commands"])
    for route in ROUTES:
        router.add_api_route(
            route.path,
            _endpoint(route),
            methods=["POST"],
            summary=route.summary,
            response_model=CommandResponse,
            responses=ERROR_RESPONSES,
        )
    return router
