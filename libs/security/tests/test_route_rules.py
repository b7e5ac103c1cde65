"""Every route declares its rule; the rules render as a role x endpoint matrix and are checked over HTTP."""

from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from rinnalla_security import (
    Access,
    Action,
    AuthSettings,
    MemoryAuditLog,
    MissingAccessRule,
    PermissionDenied,
    Role,
    authorize,
    install_security,
    render_access_matrix,
    require_route_rules,
    route_rules,
)
from rinnalla_security.routes import AmbiguousAccessRule
from rinnalla_security.testing import assert_access_matrix, check_access_matrix, role_token_factory

read_team = authorize(Action.read("team"), roles={Role.MENTOR, Role.COORDINATOR})
read_child = authorize(Action.read("child"), roles={Role.MENTOR, Role.GUARDIAN}, personal_data=True)


def small_app(settings: AuthSettings | None = None) -> FastAPI:
    app = FastAPI()
    if settings is not None:
        install_security(app, service="small", settings=settings, audit_log=MemoryAuditLog())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    router = APIRouter(prefix="/v1")

    @router.get("/teams/{team_id}")
    async def team(team_id: str, access: Annotated[Access, Depends(read_team)]) -> dict[str, str]:
        return {"team_id": team_id}

    @router.get("/children/{child_id}")
    async def child(child_id: str, access: Annotated[Access, Depends(read_child)]) -> dict[str, str]:
        await access.record(child_id)
        return {"child_id": child_id}

    app.include_router(router)
    return app


def test_an_app_whose_routes_all_declare_rules_passes() -> None:
    rules = require_route_rules(small_app())

    assert [(r.label, r.rule.action.name if r.rule else None) for r in rules] == [
        ("GET /healthz", None),
        ("GET /v1/teams/{team_id}", "team.read"),
        ("GET /v1/children/{child_id}", "child.read"),
    ]


def test_a_route_without_a_rule_fails_the_check_by_name() -> None:
    app = small_app()

    @app.post("/v1/children/{child_id}/export")
    async def export(child_id: str) -> dict[str, str]:
        return {}

    with pytest.raises(MissingAccessRule) as missing:
        require_route_rules(app)
    assert missing.value.routes == ["POST /v1/children/{child_id}/export"]


def test_a_route_without_a_rule_inside_an_included_router_is_found_too() -> None:
    app = small_app()
    router = APIRouter(prefix="/v2")

    @router.get("/secret")
    async def secret() -> dict[str, str]:
        return {}

    app.include_router(router, prefix="/api")

    with pytest.raises(MissingAccessRule, match="GET /api/v2/secret"):
        require_route_rules(app)


def test_a_rule_declared_on_the_router_covers_its_routes() -> None:
    app = FastAPI()
    finance_only = authorize(Action.read("invoice"), roles={Role.FINANCE})
    router = APIRouter(prefix="/v1/finance", dependencies=[Depends(finance_only)])

    @router.get("/invoices")
    async def invoices() -> list[str]:
        return []

    app.include_router(router)

    [entry] = require_route_rules(app)
    assert entry.rule is not None and entry.rule.roles == {Role.FINANCE}


def test_two_rules_on_one_route_are_rejected_as_ambiguous() -> None:
    app = FastAPI()

    @app.get("/v1/x", dependencies=[Depends(read_team)])
    async def x(access: Annotated[Access, Depends(read_child)]) -> None:
        return None

    with pytest.raises(AmbiguousAccessRule):
        route_rules(app)


def test_extra_public_paths_need_no_rule() -> None:
    app = small_app()

    @app.get("/.well-known/security.txt")
    async def security_txt() -> str:
        return "Contact: mailto:security@example.org"

    require_route_rules(app, public_paths={"/healthz", "/readyz", "/metrics", "/.well-known"})


def test_the_matrix_renders_as_markdown() -> None:
    table = render_access_matrix(small_app(), roles=[Role.MENTOR, Role.GUARDIAN, Role.SIB_FUND])

    assert table.splitlines() == [
        "| Endpoint | Action | PD | mentor | guardian | sib_fund |",
        "|---|---|---|---|---|---|",
        "| `GET /healthz` | (public) |  | public | public | public |",
        "| `GET /v1/teams/{team_id}` | team.read |  | ✓ |  |  |",
        "| `GET /v1/children/{child_id}` | child.read | PD | ✓ | ✓ |  |",
    ]


async def test_the_generated_matrix_passes_for_a_correct_app(key_dir: Path, dev_settings: AuthSettings) -> None:
    await assert_access_matrix(small_app(dev_settings), token_for=role_token_factory(key_dir))


async def test_the_generated_matrix_catches_a_new_endpoint_without_a_rule(
    key_dir: Path, dev_settings: AuthSettings
) -> None:
    app = small_app(dev_settings)

    @app.delete("/v1/children/{child_id}")
    async def forget(child_id: str) -> None:
        return None

    with pytest.raises(MissingAccessRule, match="DELETE /v1/children"):
        await assert_access_matrix(app, token_for=role_token_factory(key_dir))


async def test_the_generated_matrix_catches_an_endpoint_that_refuses_an_allowed_role(
    key_dir: Path, dev_settings: AuthSettings
) -> None:
    app = small_app(dev_settings)

    @app.get("/v1/reports")
    async def reports(
        access: Annotated[Access, Depends(authorize(Action.read("report"), roles={Role.EVALUATOR, Role.SIB_FUND}))],
    ) -> list[str]:
        if access.principal.has_role(Role.SIB_FUND):
            raise PermissionDenied("funds see aggregates elsewhere")
        return []

    mismatches = await check_access_matrix(app, token_for=role_token_factory(key_dir))

    assert [(m.endpoint, m.caller, m.status) for m in mismatches] == [("GET /v1/reports", "sib_fund", 403)]


async def test_the_generated_matrix_reports_server_errors(demo_app: FastAPI, key_dir: Path) -> None:
    mismatches = await check_access_matrix(demo_app, token_for=role_token_factory(key_dir))

    assert [(m.endpoint, m.caller, m.status) for m in mismatches] == [("GET /v1/boom", "admin", 500)]
