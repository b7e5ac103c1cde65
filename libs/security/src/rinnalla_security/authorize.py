"""`authorize(...)`: the FastAPI dependency by which a route declares its access rule.

    @router.get("/children/{child_id}")
    async def read_child(
        child_id: str,
        access: Annotated[Access, Depends(authorize(Action.read("child"), roles={Role.MENTOR, Role.GUARDIAN},
                                                     personal_data=True))],
    ) -> ChildView:
        child = await children.get(child_id)
        access.ensure_tenant(child.municipality)                      # other tenant -> 404
        relations = await relations_of(access.principal, relationships, service_day(clock()))
        access.ensure(Visibility(access.principal, relations).can_see_child(child_id, team_id=child.team_id))
        await access.record(child_id)                                 # the access log, one line
        return ChildView.of(child)

The dependency authenticates (unless the middleware already did), checks the role (403), resolves the
purpose (422 if a personal-data route has none, or one that is unknown or not the caller's to claim) and
returns an `Access`. Routes without it are denied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from rinnalla_runtime.request_context import request_ids

from rinnalla_security.access import Access
from rinnalla_security.errors import AuthenticationFailed, PermissionDenied
from rinnalla_security.principal import Principal
from rinnalla_security.purpose import PURPOSE_HEADER, resolve_purpose
from rinnalla_security.roles import Role
from rinnalla_security.rules import Action, Rule
from rinnalla_security.state import ACCESS_KEY, PRINCIPAL_KEY, security_state

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="JWT access token from the organisation's identity provider",
)


async def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The request's principal: the one the middleware verified, or verify the bearer token now."""
    principal = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    if isinstance(principal, Principal):
        return principal
    state = security_state(request.app)
    if credentials is None:
        realm = state.verifier.settings.realm
        raise AuthenticationFailed("a bearer token is required", challenge_error=None, realm=realm)
    principal = await state.verifier.verify(credentials.credentials)
    request.scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
    return principal


def endpoint_label(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or request.url.path
    return f"{request.method} {path}"


class Authorize:
    """A route's access rule, as a dependency. Find it on routes with `route_rule(route)`."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __repr__(self) -> str:
        return f"authorize({self.rule.action.name!r}, roles={sorted(r.value for r in self.rule.roles)})"

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Access:
        principal = await authenticate(request, credentials)
        if not self.rule.allows_any(principal.roles):
            held = ", ".join(sorted(role.value for role in principal.roles)) or "none"
            raise PermissionDenied(f"your roles ({held}) may not perform {self.rule.action.name}")
        purpose = resolve_purpose(request.headers.get(PURPOSE_HEADER), self.rule, principal.roles)
        state = security_state(request.app)
        scope_state = request.scope.setdefault("state", {})
        request_id, _client_id = request_ids(request.scope)  # the server's own id, never the caller's
        access = Access(
            principal=principal,
            rule=self.rule,
            purpose=purpose,
            request_id=request_id,
            endpoint=endpoint_label(request),
            audit_log=state.audit_log,
        )
        scope_state[ACCESS_KEY] = access
        return access


def authorize(
    action: Action,
    *,
    roles: Iterable[Role],
    personal_data: bool = False,
    purposes: Iterable[str] | None = None,
    default_purpose: str | None = None,
    subject_kind: str = "child",
    description: str = "",
) -> Authorize:
    """Declare a route's rule; use as `Depends(authorize(...))`. See `Rule` for the meaning of each field."""
    return Authorize(
        Rule(
            action=action,
            roles=frozenset(roles),
            personal_data=personal_data,
            purposes=frozenset(purposes) if purposes is not None else None,
            default_purpose=default_purpose,
            subject_kind=subject_kind,
            description=description,
        )
    )


class Policy:
    """Rules shared by one router: `policy = Policy(roles={...}, personal_data=True)`, then per route
    `Depends(policy.authorize(Action.read("child")))`, optionally narrowing or widening the roles."""

    def __init__(
        self,
        *,
        roles: Iterable[Role],
        personal_data: bool = False,
        purposes: Iterable[str] | None = None,
        default_purpose: str | None = None,
        subject_kind: str = "child",
    ) -> None:
        self.roles = frozenset(roles)
        self.personal_data = personal_data
        self.purposes = frozenset(purposes) if purposes is not None else None
        self.default_purpose = default_purpose
        self.subject_kind = subject_kind

    def authorize(
        self,
        action: Action,
        *,
        roles: Iterable[Role] | None = None,
        personal_data: bool | None = None,
        purposes: Iterable[str] | None = None,
        description: str = "",
    ) -> Authorize:
        return authorize(
            action,
            roles=self.roles if roles is None else roles,
            personal_data=self.personal_data if personal_data is None else personal_data,
            purposes=self.purposes if purposes is None else purposes,
            default_purpose=self.default_purpose,
            subject_kind=self.subject_kind,
            description=description,
        )
