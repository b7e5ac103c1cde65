"""The security half of the published API contract: what every guarded operation in `/openapi.json` declares.

FastAPI documents the routes it sees; the access rules add what it cannot know. For every operation with a
rule this fills in:

- `security`: the bearer JWT scheme, and in `x-roles` the roles the rule permits;
- `X-Purpose` on personal-data operations: an enumeration of the processing purposes the operation
  accepts, and in `x-purposes-by-role` which of them each permitted role may claim;
- the error answers 401, 403, 404, 409, 410, 422 and 503, 415 where there is a body (and any other the
  route declares) as `application/problem+json` with the one `Problem` schema (RFC 9457) and an example;
- a media-type example for request and response bodies whose schema carries one.

The document's description gets the table of processing purposes and the roles that may claim them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from rinnalla_runtime.problems import PROBLEM_MEDIA_TYPE, FieldProblem, Problem, problem_body

from rinnalla_security.processing_purposes import (
    PURPOSE_DESCRIPTIONS,
    ROLE_PURPOSES,
    ProcessingPurpose,
    claimable_purposes,
    usual_purpose,
)
from rinnalla_security.purpose import PURPOSE_HEADER
from rinnalla_security.roles import Role
from rinnalla_security.routes import route_rules
from rinnalla_security.rules import Rule

BEARER_SCHEME = "HTTPBearer"  # the name FastAPI gives the scheme of `authorize`'s HTTPBearer dependency
ERROR_STATUSES = (401, 403, 404, 409, 410, 422, 503)
_SCHEMAS = "#/components/schemas/"

_DESCRIPTIONS = {
    400: "the request cannot be answered as asked",
    401: "no valid bearer token (the WWW-Authenticate header says why)",
    403: "the caller's roles may not do this",
    404: "no such record, or one outside the caller's municipalities or relationships",
    409: "not possible in the record's current state, or changed concurrently: reload and retry",
    410: "the person's data has been erased",
    413: "the request body is too large",
    415: "the body is not sent as JSON (`Content-Type: application/json`)",
    422: "an invalid value or header, or a broken rule; `errors` lists the field paths",
    503: "a server this service depends on cannot be reached; nothing was changed: retry later",
}
_PURPOSE_422 = f"; also an {PURPOSE_HEADER} that is missing, unknown or not the caller's to claim"

_EXAMPLES: dict[int, tuple[str, str, list[dict[str, str]] | None]] = {
    400: ("special_reason_required", "log data older than two years needs a special reason", None),
    401: ("unauthenticated", "a bearer token is required", None),
    403: ("forbidden", "your roles (sib_fund) may not perform child.read", None),
    404: ("not_found", "not found", None),
    409: ("invalid_transition", "body: the child is not selected for a team", None),
    410: ("subject_erased", "the person's data has been erased; it cannot be written again", None),
    413: ("body_too_large", "the request body exceeds the limit of 1048576 bytes", None),
    415: ("unsupported_media_type", "this operation takes a JSON body: send it with Content-Type: application/json",
          None),
    422: (
        "purpose_not_recognised",
        f"{PURPOSE_HEADER}: 'foo' is not a processing purpose this service recognises",
        [{"field": f"header.{PURPOSE_HEADER}", "reason": "not a processing purpose this service recognises",
          "type": "purpose_not_recognised"}],
    ),
    503: ("service_unavailable", "a server this service depends on (the database) cannot be reached", None),
}


def install_contract(app: FastAPI) -> None:
    """Make `app.openapi()` return the document with the rules' declarations filled in (built once)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            document_rules(schema, app)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_rules(schema: dict[str, Any], app: FastAPI) -> None:
    schemas: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    _add_problem_schemas(schemas)
    rules = {(entry.path, entry.method.lower()): entry.rule for entry in route_rules(app)}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            rule = rules.get((path, method))
            if rule is not None:
                _document_operation(operation, rule, schemas)
    _drop_unreferenced(schema, ("HTTPValidationError", "ValidationError"))
    info = schema.setdefault("info", {})
    info["description"] = (info.get("description", "") + "\n\n" + purposes_markdown()).strip()
    info["x-purposes-by-role"] = _purposes_by_role(Role, frozenset(ProcessingPurpose))


def purposes_markdown() -> str:
    """The processing purposes and the roles that may claim each, for the document's description."""
    lines = [
        f"## Processing purposes (`{PURPOSE_HEADER}`)",
        "",
        f"Every personal-data operation needs `{PURPOSE_HEADER}`: one of these purposes, accepted by the "
        "operation (its enumeration) and claimable by one of the caller's roles. It is written to the access "
        "log; anything else answers 422 and nothing is logged.",
        "",
        "| purpose | meaning | roles that may claim it |",
        "|---|---|---|",
    ]
    for purpose in ProcessingPurpose:
        roles = ", ".join(role.value for role in Role if purpose in ROLE_PURPOSES.get(role, ()))
        lines.append(f"| `{purpose.value}` | {PURPOSE_DESCRIPTIONS[purpose]} | {roles} |")
    return "\n".join(lines)


def _add_problem_schemas(schemas: dict[str, Any]) -> None:
    problem = Problem.model_json_schema(ref_template=_SCHEMAS + "{model}")
    for name, definition in problem.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[Problem.__name__] = problem
    schemas.setdefault(FieldProblem.__name__, FieldProblem.model_json_schema(ref_template=_SCHEMAS + "{model}"))


def _purposes_by_role(roles: Iterable[Role], accepted: frozenset[str]) -> dict[str, list[str]]:
    return {role.value: sorted(claimable_purposes({role}) & accepted) for role in sorted(roles)}


def _accepted_purposes(rule: Rule) -> list[str]:
    accepted = rule.accepted_purposes() & claimable_purposes(rule.roles)
    if rule.default_purpose:
        accepted |= {rule.default_purpose}
    return sorted(accepted)


def _example_purpose(rule: Rule, accepted: list[str]) -> str | None:
    usual = usual_purpose(rule.roles)
    if rule.default_purpose:
        return rule.default_purpose
    return usual.value if usual is not None and usual.value in accepted else next(iter(accepted), None)


def _document_operation(operation: dict[str, Any], rule: Rule, schemas: dict[str, Any]) -> None:
    security = operation.setdefault("security", [])
    if not any(BEARER_SCHEME in requirement for requirement in security):
        security.append({BEARER_SCHEME: []})
    operation["x-roles"] = sorted(role.value for role in rule.roles)
    if rule.personal_data:
        accepted = _accepted_purposes(rule)
        parameters = [p for p in operation.get("parameters", []) if p.get("name") != PURPOSE_HEADER]
        default = f" Default when not given: `{rule.default_purpose}`." if rule.default_purpose else ""
        parameters.append(
            {
                "name": PURPOSE_HEADER,
                "in": "header",
                "required": rule.default_purpose is None,
                "description": "Why the caller processes this personal data; written to the access log. "
                f"Which purposes each role may claim here: `x-purposes-by-role`.{default}",
                "schema": {"type": "string", "enum": accepted},
                "example": _example_purpose(rule, accepted),
            }
        )
        operation["parameters"] = parameters
        operation["x-purposes-by-role"] = _purposes_by_role(rule.roles, rule.accepted_purposes())
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = {str(status) for status in ERROR_STATUSES} | {code for code in responses if code[:1] in "45"}
    if "requestBody" in operation:
        statuses.add("415")
    for code in sorted(statuses):
        responses[code] = _problem_response(int(code), responses.get(code, {}), rule)
    for code, response in responses.items():
        if code.startswith("2"):
            _add_example(response.get("content", {}), schemas)
    _add_example(operation.get("requestBody", {}).get("content", {}), schemas)


def _problem_response(status: int, declared: dict[str, Any], rule: Rule) -> dict[str, Any]:
    description = declared.get("description")
    if not description or description == "Validation Error":
        description = _DESCRIPTIONS.get(status, "refused")
        if status == 422 and rule.personal_data:
            description += _PURPOSE_422
    code, detail, errors = _EXAMPLES.get(status, ("error", "refused", None))
    example = problem_body(status, code, detail, errors=errors, request_id="5f0c6c1b9f2d4c7e8a1b2c3d4e5f6a7b")
    answer: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _SCHEMAS + Problem.__name__}, "example": example}},
    }
    if status == 401:
        answer["headers"] = {"WWW-Authenticate": {"description": "Bearer challenge (RFC 6750)",
                                                  "schema": {"type": "string"}}}
    if status == 503:
        answer["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}
    return answer


def _schema_example(schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMAS):
        return _schema_example(schemas.get(ref.removeprefix(_SCHEMAS), {}), schemas)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        item = _schema_example(schema["items"], schemas)
        return None if item is None else [item]
    return None


def _add_example(content: dict[str, Any], schemas: dict[str, Any]) -> None:
    for media in content.values():
        if "example" in media or "examples" in media:
            continue
        example = _schema_example(media.get("schema", {}), schemas)
        if example is not None:
            media["example"] = _restore_nulls(example, media.get("schema", {}), schemas)


def _resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMAS):
        return _resolved(schemas.get(ref.removeprefix(_SCHEMAS), {}), schemas)
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(option.get("type") == "null" for option in schema.get("anyOf", []))


def _restore_nulls(example: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """FastAPI drops every null from the document, examples included; put back those of required
    properties, so that an example still validates against its schema."""
    schema = _resolved(schema, schemas)
    if isinstance(example, list) and isinstance(schema.get("items"), dict):
        return [_restore_nulls(item, schema["items"], schemas) for item in example]
    if not isinstance(example, dict):
        return example
    options = [_resolved(option, schemas) for option in schema.get("anyOf", [])]
    schema = next((option for option in options if option.get("type") == "object"), schema)
    properties: dict[str, Any] = schema.get("properties", {})
    restored = {key: _restore_nulls(value, properties.get(key, {}), schemas) for key, value in example.items()}
    for name in schema.get("required", []):
        if name not in restored and _nullable(properties.get(name, {})):
            restored[name] = None
    return restored


def _drop_unreferenced(schema: dict[str, Any], names: Iterable[str]) -> None:
    schemas = schema.get("components", {}).get("schemas", {})
    for name in names:
        if name not in schemas:
            continue
        others = {key: value for key, value in schema.items() if key != "components"}
        others["schemas"] = {key: value for key, value in schemas.items() if key != name}
        if f'"{_SCHEMAS}{name}"' not in json.dumps(others):
            del schemas[name]
