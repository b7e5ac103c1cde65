"""Which rule guards which route: discovery, the completeness check, and the role x endpoint matrix."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.convertors import Convertor
from starlette.routing import BaseRoute, Mount

from rinnalla_security.authorize import Authorize
from rinnalla_security.errors import MissingAccessRule
from rinnalla_security.roles import Role
from rinnalla_security.rules import Rule

# The probes, and the API contract (`/openapi.json`, `/docs` and its assets): a partner reads the contract
# before holding a token, and it holds no personal data.
DEFAULT_PUBLIC_PATHS: frozenset[str] = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"})


def docs_paths(app: FastAPI) -> frozenset[str]:
    """The paths FastAPI serves its own documentation on: they need no rule of ours."""
    paths = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    return frozenset(path for path in paths if path)


def _rules_in(dependant: Dependant) -> list[Rule]:
    found: list[Rule] = []
    if isinstance(dependant.call, Authorize):
        found.append(dependant.call.rule)
    for child in dependant.dependencies:
        found.extend(_rules_in(child))
    return found


class AmbiguousAccessRule(Exception):
    """A route carries more than one `authorize(...)`: which one applies would be unclear to readers."""


def route_rule(route: APIRoute | RouteContext) -> Rule | None:
    """The rule of an API route, counting dependencies it inherits from the routers it is included in."""
    dependant: Dependant | None = getattr(route, "dependant", None)
    rules = _rules_in(dependant) if dependant is not None else []
    if len(rules) > 1:
        names = ", ".join(rule.action.name for rule in rules)
        raise AmbiguousAccessRule(f"{route.path_format} declares {len(rules)} access rules ({names}); keep one")
    return rules[0] if rules else None


@dataclass(frozen=True)
class RouteRule:
    method: str
    path: str
    name: str
    rule: Rule | None
    public: bool
    param_convertors: Mapping[str, Convertor[Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def is_public_path(path: str, public_paths: Iterable[str]) -> bool:
    return any(path == public or path.startswith(public.rstrip("/") + "/") for public in public_paths)


def route_contexts(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, RouteContext]]:
    """Every route as it is served: routers included with a prefix are expanded (FastAPI keeps them as one
    entry), mounted sub-applications are walked."""
    for context in iter_route_contexts(routes):
        original = context.original_route
        if isinstance(original, Mount) and getattr(original.app, "routes", None) is not None:
            yield from route_contexts(original.routes, prefix + original.path)
        else:
            yield prefix, context


def route_rules(app: FastAPI, *, public_paths: Iterable[str] = DEFAULT_PUBLIC_PATHS) -> list[RouteRule]:
    """Every API route and method of the app with its declared rule (None if it has none)."""
    public = frozenset(public_paths) | docs_paths(app)
    found: list[RouteRule] = []
    for prefix, context in route_contexts(app.routes):
        original = context.original_route
        if isinstance(original, APIRoute):
            path = prefix + (context.path_format or "")
            for method in sorted(context.methods or ()):
                found.append(
                    RouteRule(
                        method, path, context.name or "", route_rule(context), is_public_path(path, public),
                        dict(context.param_convertors),
                    )
                )
        elif isinstance(original, Mount):
            path = prefix + original.path
            found.append(RouteRule("*", path, original.name or path, None, is_public_path(path, public)))
    return found


def require_route_rules(app: FastAPI, *, public_paths: Iterable[str] = DEFAULT_PUBLIC_PATHS) -> list[RouteRule]:
    """The routes with their rules; raises MissingAccessRule naming every non-public route without one."""
    rules = route_rules(app, public_paths=public_paths)
    missing = [entry.label for entry in rules if entry.rule is None and not entry.public]
    if missing:
        raise MissingAccessRule(missing)
    return rules


def render_access_matrix(
    app: FastAPI, *, roles: Iterable[Role] = tuple(Role), public_paths: Iterable[str] = DEFAULT_PUBLIC_PATHS
) -> str:
    """A markdown table: one row per endpoint, one column per role; "✓" where the role is allowed.

    Personal-data endpoints are marked "PD" (purpose required, access logged). The table shows what the
    rules allow by role; tenant and relationship checks narrow it further at request time.
    """
    columns = list(roles)
    header = ["Endpoint", "Action", "PD", *[role.value for role in columns]]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for entry in require_route_rules(app, public_paths=public_paths):
        if entry.rule is None:
            cells: list[Any] = ["public" for _ in columns]
            lines.append(f"| `{entry.label}` | (public) |  | " + " | ".join(cells) + " |")
            continue
        rule = entry.rule
        marks = ["✓" if rule.allows(role) else "" for role in columns]
        pd = "PD" if rule.personal_data else ""
        lines.append(f"| `{entry.label}` | {rule.action.name} | {pd} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"
