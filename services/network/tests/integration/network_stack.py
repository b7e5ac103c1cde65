"""The test stack: enrollment and network migrated into one real PostgreSQL, both APIs over HTTP, both workers
(relays to NATS JetStream and projection runners) in tasks, and development tokens per demo user.

Enrollment is driven only through its HTTP API; network learns of its children and consents only from
enrollment's JetStream stream, through its own projection, as in production.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
from rinnalla_enrollment import main as enrollment_main
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.demo import demo_hetu
from rinnalla_events.testkit import eventually
from rinnalla_network import main as network_main
from rinnalla_network.bootstrap import Network
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import demo_user, mint_dev_token, usual_purpose

PARTNERSHIP = "partnership-092"
TEAM = "team-092-2019-a"  # the demo mentor's team
SCHOOL = {"name": "Hakunilan koulu", "code": "12345"}
COUNTY_ORG = "org-county-vantaa-kerava"  # the demo social worker's organisation
ELECTRONIC = {"method": "electronic", "information_version": "participation-information-2025-06"}


class Workers:
    """Both services' workers, each in a task of its own."""

    def __init__(self, settings: RuntimeSettings, enrollment: Enrollment, network: Network) -> None:
        self.settings = settings
        self.enrollment = enrollment
        self.network = network
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.nc: Any = None

    async def start(self, *, network: bool = True) -> None:
        """Both workers (or enrollment's alone, to hold network's projection back)."""
        if not self.tasks:
            self.tasks = [asyncio.create_task(enrollment_main.run_worker(self.settings, self.stop_event))]
        if network and len(self.tasks) == 1:
            self.tasks.append(asyncio.create_task(network_main.run_worker(self.settings, self.stop_event)))
        if self.nc is None:
            self.nc = await nats.connect(self.settings.require_nats_url())

    def _alive(self) -> None:
        for task in self.tasks:
            if task.done():
                task.result()  # a worker died: raise its error instead of waiting in vain
                raise AssertionError("a worker stopped")

    async def published(self, *, network: bool = True) -> None:
        """Enrollment's relay has published every event enrollment committed so far (network may not have
        applied them yet)."""
        await self.start(network=network)

        async def done() -> bool:
            self._alive()
            return await self.enrollment.unpublished() == 0

        await eventually(done, within=30)

    async def caught_up(self) -> None:
        """Every event either service committed so far is in network's read models."""
        await self.published()
        js = self.nc.jetstream()

        async def done() -> bool:
            self._alive()
            return not any((await self.network.runtime.projection_lag(js)).values()) and not any(
                (await self.enrollment.projection_lag(js)).values()
            )

        await eventually(done, within=30)

    async def close(self) -> None:
        self.stop_event.set()
        for task in self.tasks:
            async with asyncio.timeout(30):
                await task
        if self.nc is not None:
            await self.nc.close()


@dataclass
class Client:
    http: httpx.AsyncClient
    key_dir: Path

    def token(self, user: str, **claims: Any) -> dict[str, str]:
        token = mint_dev_token(user, key_dir=self.key_dir, extra_claims=claims or None)
        headers = {"Authorization": f"Bearer {token}"}
        purpose = usual_purpose(demo_user(user).roles)
        if purpose is not None:
            headers["X-Purpose"] = purpose
        return headers

    async def post(self, path: str, body: dict[str, Any], *, user: str = "coordinator.vantaa",
                   key: str | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        sent = {**self.token(user), "Idempotency-Key": key or str(uuid.uuid4()), **(headers or {})}
        return await self.http.post(f"/v1{path}", json=body, headers=sent)

    async def ok(self, path: str, body: dict[str, Any], **options: Any) -> dict[str, Any]:
        response = await self.post(path, body, **options)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def get(self, path: str, *, user: str, params: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.get(f"/v1{path}", headers=self.token(user), params=params)


@dataclass
class Stack:
    enrollment: Client
    network: Client
    workers: Workers
    network_context: Network
    children: list[str] = field(default_factory=list)

    def as_guardian(self, n: int) -> dict[str, str]:
        return self.enrollment.token("guardian.vantaa", sub=f"guardian-{n}")

    async def programme(self) -> None:
        """Vantaa's partnership, the demo mentor's team."""
        api = self.enrollment
        await api.ok(f"/partnerships/{PARTNERSHIP}", {"municipality_code": "092", "opened_on": "2025-01-15"})
        await api.ok(f"/partnerships/{PARTNERSHIP}/agreement",
                     {"signed_on": "2025-03-01", "team_count": 2, "valid_from": "2025-08-01"})
        for team_id in (TEAM, "team-092-2019-b"):
            await api.ok(f"/teams/{team_id}", {
                "name": f"Vantaa {team_id[-1]}", "municipality_code": "092", "area": "Hakunila",
                "main_school": SCHOOL, "cohort_birth_years": [2019], "founded_on": "2025-08-01",
                "partnership_id": PARTNERSHIP,
            })
        await api.ok(f"/teams/{TEAM}/mentors", {"mentor_id": "user-mentor.vantaa", "starts_on": "2025-08-01"})

    async def enrolled_child(self, n: int, *, hetu: str) -> str:
        """An enrolled child with one guardian (guardian-n) who consents to sharing with social services."""
        api = self.enrollment
        child_id = f"child-{n:04d}"
        guardian = {"guardian_id": f"guardian-{n}", "given_names": "Maija", "family_name": f"Huoltaja{n}",
                    "phone": "+358 40 123 4567", "email": f"g{n}@example.fi"}
        child = {"given_names": f"Lapsi{n}", "family_name": "Esimerkki", "date_of_birth": "2019-02-02"}
        await api.ok(f"/children/{child_id}/nomination", {
            "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
            "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
            "preschool_reference": f"esiopetus-{n}", "cohort_year": 2019,
        })
        await api.ok(f"/children/{child_id}/guardians-informed", {
            "guardians": [guardian], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"], "child": child,
        })
        await api.ok(f"/children/{child_id}/selection", {"team_id": TEAM, "decided_on": "2025-08-12"})
        await api.ok(f"/children/{child_id}/consents", {
            "consent_id": f"participation-{n}", "subject_id": child_id, "purpose": "participation",
            "evidence": ELECTRONIC,
        }, headers=self.as_guardian(n))
        await api.ok(f"/children/{child_id}/enrolment", {
            "team_id": TEAM, "enrolled_on": "2025-08-20", "child": {**child, "hetu": hetu}, "guardians": [guardian],
            "school": SCHOOL, "class_name": "1A",
        })
        await api.ok(f"/children/{child_id}/consents", {
            "consent_id": f"social-{n}", "subject_id": child_id, "purpose": "sharing_with_social_services",
            "evidence": ELECTRONIC,
        }, headers=self.as_guardian(n))
        return child_id

    async def county_partner(self) -> None:
        await self.network.ok(f"/partners/{COUNTY_ORG}", {
            "name": "Vantaan ja Keravan hyvinvointialue, perhesosiaalityö", "kind": "county_social_services",
            "business_id": "0201256-6", "service_types": ["family_social_work", "service_need_assessment"],
            "municipality_codes": ["092", "245"], "channel": "api",
        })


HETU = demo_hetu(date(2019, 2, 2), 202)
ELECTRONIC_BODY = {"consent_id": "social-1", "evidence": {
    "method": "electronic", "information_version": "participation-information-2025-06"}}


def referral(child_id: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "child_id": child_id, "organisation_id": COUNTY_ORG, "service_type": "family_social_work",
        "reason_codes": ["family_strain"], "urgency": "routine",
        "summary": "The family asked for support with evening routines.",
        "packet_fields": ["child_name", "birth_date", "guardian_contacts", "mentor_contact"],
        "contact_phone": "+358 40 765 4321",
    }
    body.update(overrides)
    return body



async def ready(stack: Stack) -> str:
    await stack.programme()
    child_id = await stack.enrolled_child(1, hetu=HETU)
    await stack.county_partner()
    await stack.workers.caught_up()
    return child_id


