"""The command API under /v1: one POST route per command.

Every route: the caller's access rule (`authorize`), an `Idempotency-Key` header, a body that is the command
without its id (taken from the path) and without `at` (the server's clock). Who may write about a child is
decided from the case log's copy of enrollment's events (the roster): the mentor of the child's team on the
entry's date, or a coordinator of its municipality; anyone else is told the child does not exist (404).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator
from rinnalla_events import CommandWriter, EventMetadata, Idempotency, Outcome, fingerprint
from rinnalla_security import Access, Action, Role, authorize

from rinnalla_caselog.adapters.dependencies import IdempotencyKey, author_of, get_caselog
from rinnalla_caselog.adapters.errors import ERROR_RESPONSES
from rinnalla_caselog.adapters.examples import COMMAND_ANSWER, EXAMPLES, examples
from rinnalla_caselog.application import handlers as h
from rinnalla_caselog.application.ports import Roster
from rinnalla_caselog.bootstrap import Caselog
from rinnalla_caselog.domain import assessment as asm
from rinnalla_caselog.domain import contact as ct
from rinnalla_caselog.domain import goal as gl
from rinnalla_caselog.domain import instrument as ins
from rinnalla_caselog.domain import notification as nf
from rinnalla_caselog.domain import session as se
from rinnalla_caselog.domain import worktime as wt
from rinnalla_caselog.domain.roster import Author

Handler = Callable[[CommandWriter, Roster, Author, Any], Awaitable[Outcome]]
WRITERS = frozenset({Role.MENTOR, Role.COORDINATOR})


class CommandResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra=examples(COMMAND_ANSWER))

    kind: str = Field(description="the kind of record the command was for")
    id: str = Field(description="the id of the record")
    events: list[str] = Field(description="the events recorded (empty when nothing changed)")
    replayed: bool = Field(description="true when this answers a retry of an earlier request")


@dataclass(frozen=True)
class CommandRoute:
    path: str
    command: type[BaseModel]
    id_field: str
    handler: Handler
    action: Action
    roles: frozenset[Role]
    summary: str
    subjects: Callable[[Any, Outcome], Iterable[str]] | None
    """The children whose personal data the command writes (each gets a line in the access log); None for a
    command that writes no one's personal data."""


def _children_of(command: Any, outcome: Outcome) -> list[str]:
    return [child.child_id for child in command.children]


def _child_of(command: Any, outcome: Outcome) -> list[str]:
    return [command.child_id]


def _attendees_of(command: Any, outcome: Outcome) -> list[str]:
    return [entry.child_id for entry in command.attendance]


def _child_in_result(command: Any, outcome: Outcome) -> list[str]:
    """The child the handler found (a goal's review names the goal, not the child)."""
    return [str(child) for child in outcome.result.get("subjects", [])]


ROUTES: tuple[CommandRoute, ...] = (
    CommandRoute(
        "/contacts/{contact_id}", ct.RecordContact, "contact_id", h.record_contact,
        Action.write("contact", "record"), WRITERS,
        "Record a contact with one or more children of the team (a note per child, encrypted)", _children_of,
    ),
    CommandRoute(
        "/contacts/{contact_id}/correction", ct.CorrectContact, "contact_id", h.record_contact,
        Action.write("contact", "correct"), WRITERS,
        "Correct a contact: the new version supersedes the earlier one as a whole (the log keeps both)",
        _children_of,
    ),
    CommandRoute(
        "/children/{child_id}/assessments", asm.RecordAssessment, "child_id", h.record_assessment,
        Action.write("assessment", "record"), WRITERS,
        "Record an assessment (SDQ, a feedback survey, or an instrument defined as data): the scales are "
        "computed and checked; one per child, instrument, informant and wave", _child_of,
    ),
    CommandRoute(
        "/children/{child_id}/assessment-corrections", asm.CorrectAssessment, "child_id", h.record_assessment,
        Action.write("assessment", "correct"), WRITERS,
        "Correct the assessment recorded for the same child, instrument, informant and wave (supersedes it)",
        _child_of,
    ),
    CommandRoute(
        "/goals/{goal_id}", gl.SetGoal, "goal_id", h.set_goal, Action.write("goal", "set"), WRITERS,
        "Set a goal for a child: in an outcome area or specific to the child, with a target date", _child_of,
    ),
    CommandRoute(
        "/goals/{goal_id}/reviews", gl.ReviewGoal, "goal_id", h.review_goal, Action.write("goal", "review"),
        WRITERS, "Review a goal: a rating from 1 to 5 and its status (open, achieved, discontinued)",
        _child_in_result,
    ),
    CommandRoute(
        "/sessions/{session_id}", se.HoldSession, "session_id", h.hold_session, Action.write("session", "hold"),
        WRITERS, "Record a team session (practice, game, club, camp, excursion) with its attendance",
        _attendees_of,
    ),
    CommandRoute(
        "/sessions/{session_id}/correction", se.CorrectSession, "session_id", h.hold_session,
        Action.write("session", "correct"), WRITERS,
        "Correct a team session and its attendance (supersedes the earlier record)", _attendees_of,
    ),
    CommandRoute(
        "/time-reports/{week}", wt.ReportTime, "week", h.report_time, Action.write("worktime", "report"),
        frozenset({Role.MENTOR}), "Report your administration time for an ISO week (the latest report counts)",
        None,
    ),
    CommandRoute(
        "/notification-markers/{marker_id}", nf.RecordNotificationFiled, "marker_id",
        h.record_notification_filed, Action.write("notification_marker", "record"), WRITERS,
        "Record that a child-welfare notification was filed through the county's channel (never its content)",
        _child_of,
    ),
    CommandRoute(
        "/instruments/{code}/versions", ins.DefineInstrumentVersion, "code", h.define_instrument_version,
        Action.write("instrument", "define"), frozenset({Role.COORDINATOR, Role.ADMIN}),
        "Define an instrument, or a new version of one, as data (a later version keeps the earlier scales)",
        None,
    ),
)


def _refuse_content(cls: type[BaseModel], data: Any) -> Any:
    return nf.refuse_content(data)


def request_model(command: type[BaseModel], id_field: str) -> type[BaseModel]:
    """The command's body: its fields without the path id and without `at` (the server's clock)."""
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in command.model_fields.items() if name not in {id_field, "at"}
    }
    example = EXAMPLES.get(command.__name__)
    config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [example]} if example else None)
    validators: dict[str, Any] = {}
    if command is nf.RecordNotificationFiled:  # a body with a content field is refused, naming the field
        validators["no_content"] = model_validator(mode="before")(_refuse_content)
    model: type[BaseModel] = create_model(
        f"{command.__name__}Request", __config__=config, __validators__=validators, **fields
    )
    model.__doc__ = command.__doc__
    return model


async def execute(
    route: CommandRoute, caselog: Caselog, access: Access, key: str, stream_id: str, body: BaseModel
) -> Outcome:
    data = {**body.model_dump(), route.id_field: stream_id}
    if "at" in route.command.model_fields:
        data["at"] = caselog.clock()
    try:
        command = route.command.model_validate(data)
    except ValidationError as invalid:
        # the path's id must also be what the command's field allows (e.g. an instrument code's pattern):
        # answered like any invalid request, naming the path parameter or the body field
        raise RequestValidationError([
            {**error, "loc": ("path" if error["loc"][:1] == (route.id_field,) else "body", *error["loc"])}
            for error in invalid.errors(include_url=False)
        ]) from None
    principal = access.principal
    idempotency = Idempotency(
        key=f"{principal.subject}:{key}",
        fingerprint=fingerprint({"endpoint": access.endpoint, "id": stream_id, "body": body.model_dump(mode="json")}),
    )
    writer = caselog.writer(EventMetadata(actor=principal.subject), idempotency)
    outcome = await writer.previous() or await route.handler(writer, caselog.roster, author_of(principal), command)
    if route.subjects is not None:
        await access.record_many(route.subjects(command, outcome))
    return outcome


def _endpoint(route: CommandRoute) -> Callable[..., Awaitable[CommandResponse]]:
    body_model = request_model(route.command, route.id_field)
    rule = authorize(
        route.action, roles=route.roles, personal_data=route.subjects is not None, description=route.summary
    )

    async def endpoint(**kwargs: Any) -> CommandResponse:
        outcome = await execute(
            route, kwargs["caselog"], kwargs["access"], kwargs["idempotency_key"], kwargs[route.id_field],
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
            parameter("caselog", parameter.KEYWORD_ONLY, annotation=Annotated[Caselog, Depends(get_caselog)]),
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
