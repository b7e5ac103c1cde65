"""RFC 9457 problem details: the one body every error answer of every service has.

    {"type": "urn:rinnalla:problem:validation_failed", "title": "Validation failed", "status": 422,
     "detail": "the request is invalid: body.child.hetu: ...", "instance": "urn:rinnalla:request:4f1c...",
     "errors": [{"field": "body.child.hetu", "reason": "...", "type": "invalid_value"}],
     "request_id": "4f1c..."}

`type` names the kind of problem and never changes between occurrences (clients branch on it); `detail`
says what went wrong this time; `errors` lists field paths (422); `instance` names the occurrence by its
request id (the id to quote, also in `request_id` and the X-Request-ID header). The request's path is not
echoed: paths carry ids of children and guardians, and error bodies end up in more places than answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A URN rather than a web address: the services run in networks without the internet, and a type is an
# identifier to compare, not a page to fetch.
PROBLEM_TYPE_PREFIX = "urn:rinnalla:problem:"
REQUEST_URN_PREFIX = "urn:rinnalla:request:"


def problem_type(code: str) -> str:
    """`problem_type("not_found")` -> "urn:rinnalla:problem:not_found"."""
    return PROBLEM_TYPE_PREFIX + code


def problem_title(code: str) -> str:
    return code.replace("_", " ").capitalize()


class FieldProblem(BaseModel):
    model_config = ConfigDict(title="FieldProblem")

    field: str = Field(description="where in the request: body.<path>, query.<name>, path.<name> or header.<name>")
    reason: str = Field(description="what is wrong with it")
    type: str = Field(description="a stable code for the kind of mistake, e.g. missing, invalid_value")


class Problem(BaseModel):
    """An error answer (RFC 9457, media type application/problem+json)."""

    model_config = ConfigDict(
        title="Problem",
        json_schema_extra={
            "examples": [
                {
                    "type": problem_type("validation_failed"),
                    "title": "Validation failed",
                    "status": 422,
                    "detail": "the request is invalid: body.reason: String should have at least 10 characters",
                    "instance": REQUEST_URN_PREFIX + "5f0c6c1b9f2d4c7e8a1b2c3d4e5f6a7b",
                    "errors": [
                        {"field": "body.reason", "reason": "String should have at least 10 characters",
                         "type": "string_too_short"}
                    ],
                    "request_id": "5f0c6c1b9f2d4c7e8a1b2c3d4e5f6a7b",
                }
            ]
        },
    )

    type: str = Field(description=f"the kind of problem, a URN starting {PROBLEM_TYPE_PREFIX}")
    title: str = Field(description="a short summary of the kind of problem; the same for every occurrence")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong this time, in words a person can act on")
    instance: str | None = Field(
        default=None, description=f"this occurrence: {REQUEST_URN_PREFIX} and the request id"
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="for invalid requests (422): each offending field with its path"
    )
    request_id: str | None = Field(default=None, description="quote it when reporting the problem")


def problem_body(
    status: int,
    code: str,
    detail: Any,
    *,
    errors: Sequence[Mapping[str, str]] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": problem_title(code),
        "status": status,
        "detail": detail if isinstance(detail, str) else str(detail),
    }
    if request_id:
        body["instance"] = REQUEST_URN_PREFIX + request_id
    if errors:
        body["errors"] = [dict(error) for error in errors]
    if request_id:
        body["request_id"] = request_id
    return body


def problem_response(
    status: int,
    code: str,
    detail: Any,
    *,
    errors: Sequence[Mapping[str, str]] | None = None,
    request_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(status, code, detail, errors=errors, request_id=request_id)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)
