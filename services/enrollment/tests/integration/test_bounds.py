"""No request can stop the log: every field of every command has a bound that fits the domain (422 with the
field path, in the OpenAPI schema), an event too large for the bus is refused when appended (413, nothing
written), a relay that meets one anyway (a limit lowered later) stops loudly until an operator publishes a
placeholder, and a read model that parks an event raises an alert in /metrics."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from enrollment_scenario import PARTNERSHIP, TEAM, guardian, partnership_with_teams, selected_child
from rinnalla_cli.context import CliState
from rinnalla_cli.main import app as cli
from rinnalla_enrollment.bootstrap import open_enrollment
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.values import MentorRole
from rinnalla_enrollment.main import create_app, service_spec
from rinnalla_enrollment.projections.tables import PROJECTION_NAME, READ_SCHEMA
from rinnalla_events import EventMetadata
from rinnalla_events.testkit import eventually
from rinnalla_runtime.settings import RuntimeSettings
from rinnalla_security import AuthSettings
from structlog.testing import capture_logs
from typer.testing import CliRunner

from conftest import Api, Worker

pytestmark = pytest.mark.integration


def problem_fields(response: httpx.Response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def large_guardian(n: int) -> dict[str, Any]:
    """A guardian with every field at its bound."""
    return {
        **guardian(n), "given_names": "M" * 200, "family_name": "H" * 200, "email": "g" * 240 + f"{n}@example.fi",
        "custody": "other", "custody_basis": "court decision " * 133,
    }


async def version(api: Api, stream_type: str, stream_id: str) -> int:
    return await api.enrollment.store.stream_version(stream_type, stream_id)


async def metrics(api: Api) -> str:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    return response.text


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


# --- bounds on every command --------------------------------------------------------------------------------


async def test_a_request_with_thousands_of_guardians_is_refused_and_the_log_goes_on(api: Api) -> None:
    await partnership_with_teams(api)
    child_id = await selected_child(api, 1)
    before = await version(api, "child", child_id)

    response = await api.command(f"/children/{child_id}/guardians", {"guardians": [guardian(n) for n in range(3000)]})

    assert response.status_code == 422
    assert "at most 8" in problem_fields(response)["body.guardians"]
    assert await version(api, "child", child_id) == before
    # and the relay is not stuck: a later change reaches the read model
    await api.ok(f"/children/{child_id}/guardians", {"guardians": [guardian(1), guardian(2)]})
    await api.project()
    async with api.enrollment.connections.acquire() as conn:
        listed = await conn.fetchval(f"SELECT count(*) FROM {READ_SCHEMA}.guardians WHERE child_id = $1", child_id)
    assert listed == 2


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/children/child-0001/guardians", {"guardians": [{**guardian(1), "given_names": "N" * 900_000}]},
         "body.guardians[0].given_names"),
        ("/children/child-0001/non-selection", {"decided_on": "2025-08-12", "reason": "x" * 2001}, "body.reason"),
        ("/children/child-0001/school", {"school": {"name": "S" * 201}, "class_name": "1A",
                                         "changed_on": "2026-08-01"}, "body.school.name"),
        ("/children/child-0001/school", {"school": {"name": "S"}, "class_name": "1" * 101,
                                         "changed_on": "2026-08-01"}, "body.class_name"),
        ("/children/child-0001/permanent-identity-code", {"hetu": "1" * 21}, "body.hetu"),
        (f"/teams/{TEAM}/schools", {"main_school": {"name": "S"}, "other_schools": [{"name": "S"}] * 31},
         "body.other_schools"),
        (f"/partnerships/{PARTNERSHIP}/cost-sharing", {
            "agreed_on": "2025-03-01", "valid_from": "2025-08-01",
            "payers": [{"kind": "municipality", "code": "092", "share_basis_points": 1000}] * 11,
        }, "body.payers"),
        (f"/partnerships/{PARTNERSHIP}/negotiation-failure", {"failed_on": "2025-03-01", "reason": "r" * 5000},
         "body.reason"),
    ],
)
async def test_strings_and_lists_beyond_their_bound_are_refused_with_the_field_path(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    response = await api.command(path, body)

    assert response.status_code == 422, response.text
    assert field in problem_fields(response)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (f"/partnerships/{PARTNERSHIP}/agreement",
         {"signed_on": "2025-03-01", "team_count": 2**70, "valid_from": "2025-08-01"}, "body.team_count"),
        (f"/teams/{TEAM}/funding", {"year": 3189, "source": "municipality", "amount_eur": "1000"}, "body.year"),
        (f"/teams/{TEAM}/funding", {"year": 2026, "source": "municipality", "amount_eur": "1e30"},
         "body.amount_eur"),
        (f"/teams/{TEAM}/max-size", {"max_size": 2**40}, "body.max_size"),
        (f"/teams/{TEAM}/activation", {"activated_on": "3189-08-01"}, "body.activated_on"),
        (f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-x", "starts_on": "1066-10-14"}, "body.starts_on"),
        ("/teams/team-new", {
            "name": "T", "municipality_code": "092", "area": "A", "main_school": {"name": "S"},
            "cohort_birth_years": [3189], "founded_on": "2025-08-01",
        }, "body.cohort_birth_years[0]"),
        ("/children/child-0009/nomination", {
            "municipality_code": "092", "nominated_on": "2025-08-05", "preschool": {"name": "P"},
            "nominated_by": ["preschool", "school"], "preschool_reference": "r", "cohort_year": -5,
        }, "body.cohort_year"),
        ("/children/child-0009/consents", {
            "consent_id": "c", "subject_id": "child-0009", "purpose": "participation",
            "evidence": {"method": "electronic", "information_version": "v1"},
            "valid_until": "3189-01-01T00:00:00+00:00",
        }, "body.valid_until"),
        ("/children/child-0009/hearings", {"heard_on": "3189-01-01", "child_view": "agrees"}, "body.heard_on"),
        (f"/partnerships/{PARTNERSHIP}/cost-sharing", {
            "agreed_on": "2025-03-01", "valid_from": "2025-08-01", "price_per_team_cents": 2**63,
            "payers": [{"kind": "municipality", "code": "092", "share_basis_points": 10000}],
        }, "body.price_per_team_cents"),
    ],
)
async def test_values_far_outside_the_domain_are_refused_on_the_write_side(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    await partnership_with_teams(api)

    response = await api.command(path, body)

    assert response.status_code == 422, response.text
    assert field in problem_fields(response)


async def test_the_same_mentor_is_not_assigned_twice_on_one_day(api: Api) -> None:
    await partnership_with_teams(api)
    await api.ok(f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-r", "role": "resource", "starts_on": "2025-09-01"})
    await api.ok(f"/teams/{TEAM}/mentor-departures", {"mentor_id": "mentor-r", "left_on": "2025-09-01"})
    before = await version(api, "team", TEAM)

    again = await api.command(f"/teams/{TEAM}/mentors",
                              {"mentor_id": "mentor-r", "role": "resource", "starts_on": "2025-09-01"})

    assert again.status_code == 422
    assert "after that day" in problem_fields(again)["body.starts_on"]
    assert await version(api, "team", TEAM) == before
    await api.ok(f"/teams/{TEAM}/mentors", {"mentor_id": "mentor-r", "role": "resource", "starts_on": "2025-09-02"})
    await api.project()
    assert sample(await metrics(api), "rinnalla_projection_parked_events", projection=PROJECTION_NAME) == 0


async def test_the_bounds_are_in_the_openapi_schema(api: Api) -> None:
    schema = (await api.client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]

    def prop(model: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = components[model]["properties"][name]
        return found

    assert prop("ChangeGuardiansRequest", "guardians")["maxItems"] == 8
    assert prop("GuardianEntry", "given_names")["maxLength"] == 200
    assert prop("GuardianEntry", "custody_basis")["maxLength"] == 2000
    assert prop("SignPartnershipAgreementRequest", "team_count")["maximum"] == 100
    assert prop("CommitFundingRequest", "year")["maximum"] == 2100
    assert prop("FoundTeamRequest", "founded_on")["formatMaximum"] == "2100-12-31"
    assert prop("SchoolEntry", "name")["maxLength"] == 200
    assert prop("PayerEntry", "share_basis_points")["maximum"] == 10000


# --- events too large for the bus ---------------------------------------------------------------------------


@asynccontextmanager
async def deployed(settings: RuntimeSettings, key_dir: Any) -> AsyncIterator[Api]:
    """The service (API and worker) deployed with `settings`, e.g. after the bus's limit was changed."""
    async with open_enrollment(settings) as enrollment:
        application = create_app(settings, enrollment=enrollment, auth=AuthSettings.for_development(key_dir))
        worker = Worker(settings, enrollment)
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application), base_url="http://enrollment.test"
            ) as client:
                yield Api(client, enrollment, key_dir, worker)
        finally:
            await worker.close()


def lowered(settings: RuntimeSettings, limit: int) -> RuntimeSettings:
    return settings.model_copy(update={"bus_max_message_bytes": limit})


async def nominated_child(api: Api, n: int) -> str:
    child_id = f"child-{n:04d}"
    await api.ok(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05", "preschool": {"name": "P"},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": f"esiopetus-{n}",
        "cohort_year": 2019,
    })
    return child_id


def informing(guardians: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "guardians": guardians, "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": "Lapsi", "family_name": "Esimerkki", "date_of_birth": "2019-03-01"},
    }


async def test_a_change_whose_event_would_not_fit_on_the_bus_is_refused_with_413_and_nothing_is_written(
    settings: RuntimeSettings, key_dir: Any
) -> None:
    async with deployed(lowered(settings, 8_000), key_dir) as api:
        await partnership_with_teams(api)
        child_id = await nominated_child(api, 1)
        before = await version(api, "child", child_id)

        response = await api.command(f"/children/{child_id}/guardians-informed",
                                     informing([large_guardian(n) for n in range(1, 9)]))

        assert response.status_code == 413, response.text
        problem = response.json()
        assert problem["type"].endswith("event_too_large")
        assert e.GuardiansInformed.event_type in problem["detail"] and "8,000" in problem["detail"]
        assert problem["errors"][0]["field"] == "body"
        assert await version(api, "child", child_id) == before
        await api.ok(f"/children/{child_id}/guardians-informed", informing([guardian(1)]))  # an ordinary one fits


async def test_a_relay_stopped_by_an_event_too_large_alerts_and_the_operator_command_lets_it_go_on(
    settings: RuntimeSettings, key_dir: Any
) -> None:
    async with deployed(settings, key_dir) as api:  # written while the bus carried 1 MiB
        await partnership_with_teams(api)
        child_id = await nominated_child(api, 1)
        await api.ok(f"/children/{child_id}/guardians-informed",
                     informing([large_guardian(n) for n in range(1, 9)]))
        [informed] = [event for event in await api.enrollment.store.read_stream("child", child_id)
                      if event.envelope.event_type == e.GuardiansInformed.event_type]
        too_large = str(informed.envelope.event_id)

    later = lowered(settings, 8_000)  # the limit was lowered later
    async with deployed(later, key_dir) as api:
        await api.worker.start()

        async def blocked() -> float | None:  # once the relay has published everything before the event
            return sample(await metrics(api), "rinnalla_relay_blocked_event_bytes", event_id=too_large,
                          stream_type="child", stream_id=child_id, event_type=e.GuardiansInformed.event_type)

        async def relay_stopped() -> bool:
            return await blocked() is not None

        await api.ok(f"/children/{child_id}/selection", {"team_id": TEAM, "decided_on": "2025-08-12"})
        await eventually(relay_stopped, within=30)
        size = await blocked()
        assert size is not None and size > 8_000

        runner = CliRunner()
        overrides = {"database_url": later.database_url, "nats_url": later.nats_url,
                     "master_key": later.master_key.get_secret_value() if later.master_key else None,
                     "bus_max_message_bytes": 8_000}
        result = await asyncio.to_thread(
            runner.invoke, cli, ["relay", "publish-placeholder", "enrollment", too_large],
            obj=CliState(specs=[service_spec()], overrides=overrides),
        )
        assert result.exit_code == 0, result.output
        assert "EventTooLargeForBus" in result.output

        await api.project()  # the relay went on: everything after the event reaches the read model
        async with api.enrollment.connections.acquire() as conn:
            status = await conn.fetchval(f"SELECT status FROM {READ_SCHEMA}.children WHERE child_id = $1", child_id)
            listed = await conn.fetchval(f"SELECT count(*) FROM {READ_SCHEMA}.guardians WHERE child_id = $1",
                                         child_id)
        # the read model read the oversize event from the store, then the change after it
        assert (status, listed) == ("selected", 8)
        assert sample(await metrics(api), "rinnalla_relay_blocked_event_bytes", event_id=too_large) is None


# --- a parked event raises an alert -------------------------------------------------------------------------


async def test_a_parked_event_shows_in_metrics_and_the_log(api: Api) -> None:
    await partnership_with_teams(api)
    await api.project()
    assert sample(await metrics(api), "rinnalla_projection_parked_events", service="enrollment",
                  projection=PROJECTION_NAME) == 0
    # An event the read model cannot apply (written past the rules: the mentor is on the team that day).
    store = api.enrollment.store
    await store.append(
        "team", TEAM,
        [e.MentorAssigned(team_id=TEAM, mentor_id="user-mentor.vantaa", role=MentorRole.LEAD,
                          starts_on=date(2025, 8, 1))],
        expected_version=await store.stream_version("team", TEAM), metadata=EventMetadata(actor="test"),
    )

    with capture_logs() as logs:
        await api.project()

    assert sample(await metrics(api), "rinnalla_projection_parked_events", service="enrollment",
                  projection=PROJECTION_NAME) == 1
    parked = [entry for entry in logs if entry["event"] == "projection.event_parked"]
    assert parked and parked[0]["log_level"] == "error" and parked[0]["event_type"] == e.MentorAssigned.event_type
    assert re.search(r"rinnalla_projection_parked_events\{", await metrics(api))
