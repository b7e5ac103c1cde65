"""End to end: a child enrolled over HTTP and then erased leaves no trace of their name or identity code
anywhere: not in any column of any table of the database, not in any message on the bus.

The service runs as the stack runs it: migrations, the API (over an in-process transport), and the worker
(the relay to JetStream and the projections) in a task, against real PostgreSQL and NATS.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.js.errors
import pytest
from nats.js.errors import NotFoundError
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_enrollment.demo import demo_hetu
from rinnalla_enrollment.main import create_app, migrate, run_worker
from rinnalla_events import new_master_key
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_runtime.subject_prefix import SUBJECT_PREFIX_VARIABLE
from rinnalla_security import AuthSettings, demo_user, mint_dev_token, usual_purpose

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

GIVEN_NAMES = "Ukonvasara"
FAMILY_NAME = "Poistettavainen"
BORN = date(2019, 5, 3)
HETU = demo_hetu(BORN, 417)
CHILD = "child-092-e2e-1"
TEAM = "team-092-2019-a"  # the demo mentor's team (in their token)
WAIT_ROUNDS = 600  # x 0.05 s: a bound on waiting for the worker, not a speed requirement
TEXT_TYPES = ("text", "character varying", "character", "jsonb", "json", "bytea", "ARRAY", "USER-DEFINED")

SIGNED_FORM = {"method": "signed_form", "information_version": "info-2025-06", "document_reference": "forms/1"}


class Client:
    def __init__(self, http: httpx.AsyncClient, key_dir: Path) -> None:
        self.http = http
        self.key_dir = key_dir

    def headers(self, user: str, *, purpose: bool = True) -> dict[str, str]:
        """With `purpose`, the first processing purpose the user's roles may claim; without, the route's own."""
        token = mint_dev_token(user, key_dir=self.key_dir)
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        stated = usual_purpose(demo_user(user).roles) if purpose else None
        return {**headers, "X-Purpose": stated} if stated else headers

    async def post(
        self, path: str, body: dict[str, Any], *, user: str = "coordinator.vantaa", purpose: bool = True
    ) -> httpx.Response:
        return await self.http.post(f"/v1{path}", json=body, headers=self.headers(user, purpose=purpose))

    async def ok(self, path: str, body: dict[str, Any], *, user: str = "coordinator.vantaa") -> None:
        response = await self.post(path, body, user=user)
        assert response.status_code == 200, response.text

    async def get(self, path: str, *, user: str) -> httpx.Response:
        return await self.http.get(f"/v1{path}", headers=self.headers(user))


@pytest.fixture
async def service(
    database_url: str, nats_url: str, subject_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Client]:
    monkeypatch.setenv(SUBJECT_PREFIX_VARIABLE, subject_prefix)
    settings = RuntimeSettings(
        database_url=database_url, nats_url=nats_url, master_key=new_master_key(), data_dir=tmp_path
    )
    await migrate(settings)
    key_dir = tmp_path / "dev-keys"
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop))
    try:
        async with open_enrollment(settings) as enrollment:
            app = create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://enrollment.test") as http:
                yield Client(http, key_dir)
    finally:
        stop.set()
        await worker


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(WAIT_ROUNDS):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the worker never got there: {what}")


async def enrol_the_child(api: Client) -> None:
    await api.ok("/partnerships/partnership-092-e2e", {"municipality_code": "092", "opened_on": "2025-01-15"})
    await api.ok("/partnerships/partnership-092-e2e/agreement",
                 {"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"})
    school = {"name": "Hakunilan koulu", "code": "12345"}
    for team_id in (TEAM, "team-092-2019-b"):
        await api.ok(f"/teams/{team_id}", {
            "name": f"Vantaa {team_id[-1]}", "municipality_code": "092", "area": "Hakunila", "main_school": school,
            "cohort_birth_years": [2019], "founded_on": "2025-08-01", "partnership_id": "partnership-092-e2e",
        })
    await api.ok(f"/teams/{TEAM}/mentors", {"mentor_id": "user-mentor.vantaa", "starts_on": "2025-08-01"})
    child = {"given_names": GIVEN_NAMES, "family_name": FAMILY_NAME, "date_of_birth": BORN.isoformat()}
    guardian = {"guardian_id": "guardian-e2e-1", "given_names": "Maija", "family_name": "Huoltaja",
                "phone": "+358 40 123 4567", "email": "maija@example.fi"}
    await api.ok(f"/children/{CHILD}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": "esiopetus-e2e",
        "cohort_year": BORN.year,
    })
    await api.ok(f"/children/{CHILD}/guardians-informed", {
        "guardians": [guardian], "informed_on": "2025-08-08", "child": child, "reasons": ["no_other_hobby"],
    })
    await api.ok(f"/children/{CHILD}/selection", {"team_id": TEAM, "decided_on": "2025-08-12"})
    await api.ok(f"/children/{CHILD}/consents", {
        "consent_id": "consent-e2e-1", "subject_id": CHILD, "purpose": "participation",
        "signed_by": "guardian-e2e-1", "evidence": SIGNED_FORM,
    })
    await api.ok(f"/children/{CHILD}/enrolment", {
        "team_id": TEAM, "enrolled_on": "2025-08-20", "child": {**child, "hetu": HETU},
        "guardians": [guardian], "school": school, "class_name": "1A",
    })


async def roster_names(api: Client) -> set[str]:
    response = await api.get("/mentor/teams", user="mentor.vantaa")
    assert response.status_code == 200, response.text
    return {child["family_name"] for team in response.json() for child in team["roster"]}


async def database_hits(database_url: str, needles: tuple[str, ...]) -> list[str]:
    """Every text-like column of every table in every schema that holds one of the needles."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        columns = await conn.fetch(
            """
            SELECT c.table_schema, c.table_name, c.column_name, c.data_type
              FROM information_schema.columns c
              JOIN information_schema.tables t
                ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
             WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.data_type = ANY($1::text[])
            """,
            list(TEXT_TYPES),
        )
        assert columns, "no columns found to search"
        hits = []
        for column in columns:
            table = f'"{column["table_schema"]}"."{column["table_name"]}"'
            name = f'"{column["column_name"]}"'
            value = f"encode({name}, 'escape')" if column["data_type"] == "bytea" else f"{name}::text"
            for needle in needles:
                query = f"SELECT count(*) FROM {table} WHERE {value} ILIKE '%' || $1 || '%'"
                found = await conn.fetchval(query, needle)
                if found:
                    hits.append(f"{table}.{name}: {found} rows with {needle!r}")
        return hits
    finally:
        await conn.close()


async def bus_hits(nats_url: str, subject_prefix: str, needles: tuple[str, ...]) -> tuple[int, list[str]]:
    """Every message of this test's JetStream streams, read raw (headers and data) by sequence."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        # Ask for this test's streams by name: listing every stream returns one page only (256 streams), and a
        # shared server holds many more.
        streams = []
        for service in ("enrollment", "caselog", "network", "billing"):
            with contextlib.suppress(nats.js.errors.NotFoundError):
                streams.append(await js.stream_info(f"{subject_prefix}_{service}".upper()))
        assert streams, "the worker created no stream for this test"
        read, hits = 0, []
        for stream in streams:
            name = stream.config.name
            assert name is not None
            for seq in range(stream.state.first_seq, stream.state.last_seq + 1):
                try:
                    message = await js.get_msg(name, seq)
                except NotFoundError:
                    continue
                read += 1
                raw = (message.data or b"") + repr(message.headers or {}).encode()
                hits += [f"{name} #{seq}: {n!r}" for n in needles if n.encode().lower() in raw.lower()]
        return read, hits
    finally:
        await nc.close()


async def test_an_erased_child_leaves_no_name_or_identity_code_in_the_database_or_on_the_bus(
    service: Client, database_url: str, nats_url: str, subject_prefix: str
) -> None:
    api = service
    needles = (GIVEN_NAMES, FAMILY_NAME, HETU)
    await enrol_the_child(api)

    async def child_on_roster() -> bool:
        return FAMILY_NAME in await roster_names(api)

    await eventually(child_on_roster, "the child on the mentor's roster")
    # Before the erasure the plaintext is in the read model (which proves the search can find it), and the
    # bus carries the events (encrypted).
    assert await database_hits(database_url, (FAMILY_NAME,))
    await api.ok(f"/children/{CHILD}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})

    erased = await api.post(f"/children/{CHILD}/erasure", {"reason": "Guardian's erasure request, case E2E-1"},
                            user="dpo.vantaa", purpose=False)
    assert erased.status_code == 200, erased.text

    async def nothing_in_the_database() -> bool:
        return not await database_hits(database_url, needles)

    await eventually(nothing_in_the_database, "the read models purged the child")
    assert await database_hits(database_url, needles) == []
    messages, hits = await bus_hits(nats_url, subject_prefix, needles)
    assert messages > 0
    assert hits == []

    read = await api.get(f"/children/{CHILD}/consents", user="coordinator.vantaa")
    command = await api.post(f"/children/{CHILD}/consents", {
        "consent_id": "consent-e2e-2", "subject_id": CHILD, "purpose": "participation",
        "signed_by": "guardian-e2e-1", "evidence": SIGNED_FORM,
    })
    assert read.status_code == 404
    assert command.status_code == 410
    assert FAMILY_NAME not in await roster_names(api)
