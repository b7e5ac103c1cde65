"""Text no service can store or compare safely is refused once, here, before any route sees it.

PostgreSQL text cannot hold NUL, a lone UTF-16 surrogate cannot be encoded as UTF-8, and control characters
in an id or a name are never meant: left to the routes, each would fail deep in a driver as a 500. This
ASGI middleware (installed by `install_security`, inside authentication) answers instead:

- 422 problem details naming the field (`path.<name>`, `query.<name>`, `body.<path>`) for NUL, other
  control characters or unpaired surrogates in a path parameter, a query parameter or any string (or
  property name) of a JSON body; JSON strings may keep tab, line feed and carriage return;
- 422 naming `body` for a body that is not UTF-8;
- 415 for a body sent with a media type other than JSON to an operation that takes a JSON body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email.message import Message as MimeMessage
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, params
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rinnalla_security.handlers import field_path
from rinnalla_security.responses import error_response
from rinnalla_security.routes import route_contexts

# C0 controls, DEL and unpaired surrogates; ids and query values may not hold tab or line breaks either.
_NOT_IN_IDS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# Free text may hold tab, line feed and carriage return.
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MAX_PROBLEMS = 20
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

INVALID_CHARACTERS = "invalid_characters"


def _reason(text: str, pattern: re.Pattern[str]) -> str | None:
    found = pattern.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "must not contain a NUL character"
    if "\ud800" <= char <= "\udfff":
        return "must not contain an unpaired surrogate (not valid Unicode text)"
    return f"must not contain the control character U+{ord(char):04X}"


def _problem(field: str, reason: str, kind: str = INVALID_CHARACTERS) -> dict[str, str]:
    return {"field": field, "reason": reason, "type": kind}


def json_text_problems(value: Any, location: tuple[str | int, ...] = ("body",)) -> Iterator[dict[str, str]]:
    """Every string (and property name) of a parsed JSON document that holds characters no field may hold,
    in document order. Iterative: a deeply nested document cannot exhaust the stack."""
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(value, location)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            reason = _reason(item, _NOT_IN_TEXT)
            if reason is not None:
                yield _problem(field_path(where), reason)
        elif isinstance(item, dict):
            children: list[tuple[Any, tuple[str | int, ...]]] = []
            for key, child in item.items():
                reason = _reason(key, _NOT_IN_IDS)
                if reason is not None:
                    yield _problem(field_path(where), f"a property name {reason}")
                    continue
                children.append((child, (*where, key)))
            pending.extend(reversed(children))
        elif isinstance(item, list):
            pending.extend(reversed([(child, (*where, index)) for index, child in enumerate(item)]))


def _is_json(content_type: str) -> bool:
    message = MimeMessage()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp, *, api: FastAPI) -> None:
        self.app = app
        self.api = api

    def _route(self, scope: Scope) -> tuple[APIRoute | None, dict[str, Any]]:
        """The API route this request reaches (if any) and its path parameters."""
        for _prefix, context in route_contexts(self.api.router.routes):
            match, child_scope = context.matches(scope)
            if match is Match.FULL:
                original = context.original_route
                return (original if isinstance(original, APIRoute) else None), dict(child_scope.get("path_params", {}))
        return None, {}

    def _path_and_query_problems(self, scope: Scope, path_params: dict[str, Any]) -> list[dict[str, str]]:
        problems: list[dict[str, str]] = []
        if _reason(str(scope.get("path", "")), _NOT_IN_IDS) is not None:
            named = False
            for name, value in path_params.items():
                reason = _reason(str(value), _NOT_IN_IDS)
                if reason is not None:
                    problems.append(_problem(f"path.{name}", reason))
                    named = True
            if not named:
                problems.append(_problem("path", str(_reason(str(scope["path"]), _NOT_IN_IDS))))
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            reason = _reason(name, _NOT_IN_IDS)
            if reason is not None:
                problems.append(_problem("query", f"a parameter name {reason}"))
                continue
            reason = _reason(value, _NOT_IN_IDS)
            if reason is not None:
                problems.append(_problem(f"query.{name}", reason))
        return problems

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, problems: list[dict[str, str]]) -> None:
        problems = problems[:_MAX_PROBLEMS]
        summary = "; ".join(f"{p['field']}: {p['reason']}" for p in problems[:5])
        response = error_response(
            422, "validation_failed", f"the request is invalid: {summary}", scope=scope, errors=problems
        )
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route, path_params = self._route(scope)
        problems = self._path_and_query_problems(scope, path_params)
        if problems:
            await self._refuse(scope, receive, send, problems)
            return
        body_field = getattr(route, "body_field", None)
        if (
            body_field is None
            or isinstance(body_field.field_info, params.Form)
            or str(scope.get("method", "")).upper() not in _BODY_METHODS
        ):
            await self.app(scope, receive, send)
            return
        body, disconnected = await _read_body(receive)
        if body:
            content_type = _header(scope, b"content-type")
            if not content_type or not _is_json(content_type):
                refused = error_response(
                    415,
                    "unsupported_media_type",
                    "this operation takes a JSON body: send it with Content-Type: application/json",
                    scope=scope,
                    headers={"Accept": "application/json"},
                )
                await refused(scope, receive, send)
                return
            problems = _body_problems(body)
            if problems:
                await self._refuse(scope, receive, send, problems)
                return
        await self.app(scope, _replay(body, disconnected, receive), send)


def _body_problems(body: bytes) -> list[dict[str, str]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return [_problem("body", "is not valid UTF-8 text", "invalid_encoding")]
    try:
        document = json.loads(text)
    except RecursionError:
        return [_problem("body", "is nested too deeply", "too_deep")]
    except ValueError:
        return []  # the route reports malformed JSON itself (json_invalid, with the position)
    problems: list[dict[str, str]] = []
    for problem in json_text_problems(document):
        problems.append(problem)
        if len(problems) >= _MAX_PROBLEMS:
            break
    return problems


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body (the body-size limit outside this middleware bounds it), and whether the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.disconnect"}] if disconnected else [
        {"type": "http.request", "body": body, "more_body": False}
    ]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed
