"""The demo data: a directory for Vantaa and Kanta-Häme, referrals of the enrollment demo's children in every
state, a family partnership; a second run changes nothing. On a fresh database, loaded as the stack loads it
(every demo before any worker), the referrals come from the worker's job on the first start."""

from __future__ import annotations

from typing import Any

import pytest
from network_stack import Stack
from rinnalla_enrollment.demo import load_demo as load_enrollment_demo
from rinnalla_events.testkit import eventually
from rinnalla_network.demo import load_demo

pytestmark = pytest.mark.integration


async def events(stack: Stack) -> int:
    async with stack.network_context.runtime.connections.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM network.events"))


ALL_STATES = {"sent", "received", "accepted", "declined", "in_progress", "completed", "withdrawn", "expired",
              "rerouted"}


async def referrals(stack: Stack) -> list[dict[str, Any]]:
    response = await stack.network.get("/referrals", user="coordinator.vantaa")
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


async def dashboard(stack: Stack, view: str) -> list[dict[str, Any]]:
    """A dashboard view as Grafana reads it (the role `grafana_reader`)."""
    async with stack.network_context.runtime.connections.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE grafana_reader")
        return [dict(row) for row in await conn.fetch(f"SELECT * FROM network_read.{view}")]


async def test_the_demo_has_a_directory_and_referrals_in_every_state(stack: Stack) -> None:
    await load_enrollment_demo(stack.workers.enrollment)
    await stack.workers.caught_up()
    await load_demo(stack.network_context)
    await stack.workers.caught_up()

    partners = (await stack.network.get("/partners", user="coordinator.vantaa")).json()
    counties = {code for p in partners for code in p["county_codes"]}
    assert len(counties) == 2 and len(partners) == 12
    assert {p["channel"] for p in partners} == {"api", "phone", "secure_form"}
    listed = await referrals(stack)
    assert {r["status"] for r in listed} == ALL_STATES
    rerouted = next(r for r in listed if r["rerouted_from"])
    assert rerouted["legal_basis"] == "child_welfare_act_25a_joint_request"

    before = await events(stack)
    await load_demo(stack.network_context)
    assert await events(stack) == before


async def test_on_a_fresh_database_the_worker_writes_the_referrals_on_the_first_start(stack: Stack) -> None:
    # as the stack loads demo data: every service's demo before any worker runs
    await load_enrollment_demo(stack.workers.enrollment)
    await load_demo(stack.network_context)
    written = await events(stack)
    assert written > 0  # the directory and the family partnership, no referral yet

    await stack.workers.start()  # demo data is on: the worker runs the demo-referrals job

    async def every_state() -> bool:
        return {r["status"] for r in await referrals(stack)} == ALL_STATES

    await eventually(every_state, within=60)
    await stack.workers.caught_up()
    listed = await referrals(stack)
    assert len(listed) == 14

    performance = await dashboard(stack, "v_referral_performance")
    assert [(r["county_code"], r["service_type"], r["referrals"]) for r in performance] == [
        ("04", "family_social_work", 13)]
    outcomes = await dashboard(stack, "v_referral_outcomes")
    assert [(r["service_type"], r["outcome"], r["referrals"]) for r in outcomes] == [
        ("family_social_work", "service_started", 5)]

    before = await events(stack)
    await load_demo(stack.network_context)
    assert await events(stack) == before
