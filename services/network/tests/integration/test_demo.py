"""The demo data: a directory for Vantaa and Kanta-Häme, referrals of the enrollment demo's children in every
state, a family partnership; a second run changes nothing."""

from __future__ import annotations

import pytest
from network_stack import Stack
from rinnalla_enrollment.demo import load_demo as load_enrollment_demo
from rinnalla_network.demo import load_demo

pytestmark = pytest.mark.integration


async def events(stack: Stack) -> int:
    async with stack.network_context.runtime.connections.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM network.events"))


async def test_the_demo_has_a_directory_and_referrals_in_every_state(stack: Stack) -> None:
    await load_enrollment_demo(stack.workers.enrollment)
    await stack.workers.caught_up()
    await load_demo(stack.network_context)
    await stack.workers.caught_up()

    partners = (await stack.network.get("/partners", user="coordinator.vantaa")).json()
    counties = {code for p in partners for code in p["county_codes"]}
    assert len(counties) == 2 and len(partners) == 12
    assert {p["channel"] for p in partners} == {"api", "phone", "secure_form"}
    referrals = (await stack.network.get("/referrals", user="coordinator.vantaa")).json()
    assert {r["status"] for r in referrals} == {
        "sent", "received", "accepted", "declined", "in_progress", "completed", "withdrawn", "expired", "rerouted"}
    rerouted = next(r for r in referrals if r["rerouted_from"])
    assert rerouted["legal_basis"] == "child_welfare_act_25a_joint_request"

    before = await events(stack)
    await load_demo(stack.network_context)
    assert await events(stack) == before
