"""Shared fixtures: development keys, and a small service built the way a Rinnalla service uses the library."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import Field
from rinnalla_security import (
    DEMO_RELATIONSHIPS,
    Access,
    Action,
    AuditLog,
    AuthSettings,
    MemoryAuditLog,
    MemoryRelationships,
    NotFound,
    Policy,
    Principal,
    Relations,
    Role,
    StrictModel,
    Visibility,
    audit_router,
    authorize,
    ensure_dev_keys,
    install_security,
    mint_dev_token,
    relations_of,
    service_day,
)


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One development key directory for the whole session (RSA key generation is not free)."""
    directory = tmp_path_factory.mktemp("dev-keys")
    ensure_dev_keys(directory, "ES256")
    ensure_dev_keys(directory, "RS256")
    return directory


@pytest.fixture
def dev_settings(key_dir: Path) -> AuthSettings:
    return AuthSettings.for_development(key_dir)


# child id -> (municipality, team)
CHILDREN = {
    "child-092-0001": ("092", "team-092-2019-a"),
    "child-092-0002": ("092", "team-092-2019-a"),
    "child-109-0001": ("109", "team-109-2020-a"),
}
TEAMS = {"team-092-2019-a": "092", "team-109-2020-a": "109"}


class NoteTag(StrictModel):
    name: str = Field(min_length=1, max_length=40)


class NewNote(StrictModel):
    text: str = Field(min_length=1, max_length=2000)
    tags: tuple[NoteTag, ...] = ()


# The demo service's own log, as far as relationships go: the demo catalogue's.
RELATIONSHIPS = MemoryRelationships(DEMO_RELATIONSHIPS)


async def held_relations(principal: Principal) -> Relations:
    return await relations_of(principal, RELATIONSHIPS, service_day(datetime.now(UTC)))


async def demo_relations(request: Request, principal: Principal) -> Relations:
    return await held_relations(principal)


def build_demo_app(settings: AuthSettings, audit_log: AuditLog | None, *, max_body_bytes: int = 4096) -> FastAPI:
    app = FastAPI()
    install_security(app, service="demo", settings=settings, audit_log=audit_log, max_body_bytes=max_body_bytes)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    router = APIRouter(prefix="/v1")
    children = Policy(roles={Role.MENTOR, Role.GUARDIAN, Role.COORDINATOR}, personal_data=True)

    async def visibility(access: Access) -> Visibility:
        return Visibility(access.principal, await held_relations(access.principal))

    async def visible_child(access: Access, child_id: str) -> str:
        if child_id not in CHILDREN:
            raise NotFound()
        municipality, team = CHILDREN[child_id]
        access.ensure_tenant(municipality)
        access.ensure((await visibility(access)).can_see_child(child_id, team_id=team))
        return municipality

    @router.get("/teams/{team_id}")
    async def read_team(
        team_id: str,
        access: Annotated[Access, Depends(authorize(
            Action.read("team"), roles={Role.MENTOR, Role.COORDINATOR, Role.MUNICIPALITY_OFFICIAL}))],
    ) -> dict[str, str]:
        if team_id not in TEAMS:
            raise NotFound()
        access.ensure_tenant(TEAMS[team_id])
        return {"team_id": team_id}

    @router.get("/children")
    async def list_children(
        access: Annotated[Access, Depends(children.authorize(Action.read("children")))],
    ) -> list[str]:
        sees = await visibility(access)
        visible = [
            child for child, (municipality, team) in CHILDREN.items()
            if access.principal.in_tenant(municipality) and sees.can_see_child(child, team_id=team)
        ]
        await access.record_many(visible)
        return visible

    @router.get("/children/{child_id}")
    async def read_child(
        child_id: str, access: Annotated[Access, Depends(children.authorize(Action.read("child")))]
    ) -> dict[str, str]:
        municipality = await visible_child(access, child_id)
        await access.record(child_id, tenant=municipality)
        return {"child_id": child_id}

    @router.post("/children/{child_id}/notes", status_code=201)
    async def add_note(
        child_id: str,
        note: NewNote,
        access: Annotated[Access, Depends(children.authorize(Action.write("note", "add"), roles={Role.MENTOR}))],
    ) -> dict[str, int]:
        municipality = await visible_child(access, child_id)
        await access.record(child_id, tenant=municipality)
        return {"tags": len(note.tags)}

    @router.get("/children/{child_id}/safeguarding")
    async def safeguarding_view(
        child_id: str,
        access: Annotated[Access, Depends(children.authorize(
            Action.read("child.safeguarding"), roles={Role.COORDINATOR}, purposes={"safeguarding", "supervision"}))],
    ) -> dict[str, str]:
        municipality = await visible_child(access, child_id)
        await access.record(child_id, tenant=municipality)
        return {"child_id": child_id}

    @router.post("/children/{child_id}/network-summary")
    async def send_network_summary(
        child_id: str,
        access: Annotated[Access, Depends(authorize(
            Action.write("network_summary", "send"), roles={Role.MENTOR}, personal_data=True))],
    ) -> dict[str, str]:
        municipality = await visible_child(access, child_id)
        await access.record_disclosure(
            child_id, recipient_organisation="org-county-vantaa-kerava",
            disclosed="participation status; mentor contact", consent_id="consent-123", tenant=municipality,
        )
        return {"sent": child_id}

    @router.get("/children/{child_id}/forgot-to-log")
    async def forgets_to_log(
        child_id: str, access: Annotated[Access, Depends(children.authorize(Action.read("child.summary")))]
    ) -> dict[str, str]:
        await visible_child(access, child_id)
        return {"child_id": child_id, "secret": "unlogged personal data"}

    @router.get("/boom")
    async def boom(
        access: Annotated[Access, Depends(authorize(Action.read("boom"), roles={Role.ADMIN}))],
    ) -> None:
        raise RuntimeError('relation "children" violates SELECT hetu FROM children WHERE id = 1')

    app.include_router(router)
    app.include_router(audit_router(relations=demo_relations))
    return app


@pytest.fixture
def memory_log() -> MemoryAuditLog:
    return MemoryAuditLog(service="demo")


@pytest.fixture
def demo_app(dev_settings: AuthSettings, memory_log: MemoryAuditLog) -> FastAPI:
    return build_demo_app(dev_settings, memory_log)


@pytest.fixture
def app_factory(dev_settings: AuthSettings) -> Callable[..., FastAPI]:
    def factory(audit_log: AuditLog | None, **options: int) -> FastAPI:
        return build_demo_app(dev_settings, audit_log, **options)

    return factory


@pytest.fixture
async def client(demo_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def auth(key_dir: Path) -> Callable[..., dict[str, str]]:
    """Headers for a demo user: `auth("mentor.vantaa", purpose="programme_delivery")`."""

    def headers(username: str, *, purpose: str | None = None) -> dict[str, str]:
        result = {"Authorization": f"Bearer {mint_dev_token(username, key_dir=key_dir)}"}
        if purpose:
            result["X-Purpose"] = purpose
        return result

    return headers
