"""Network's read models are a pure function of the logs: rebuilding each (blue/green) from the streams
gives the same rows, and the Grafana views carry over the generation switch."""

from __future__ import annotations

from typing import Any

import pytest
from network_stack import ELECTRONIC_BODY, Stack, ready, referral

pytestmark = pytest.mark.integration

TABLES = {"enrollment_mirror": ("children", "consent_facts", "team_mentors"),
          "referral_views": ("partners", "partner_areas", "referrals", "family_partnerships")}


async def snapshot(stack: Stack, projection: str) -> dict[str, list[tuple[Any, ...]]]:
    async with stack.network_context.runtime.connections.acquire() as conn:
        return {
            table: [tuple(row) for row in await conn.fetch(f"SELECT * FROM network_read.{table} ORDER BY 1, 2, 3")]
            for table in TABLES[projection]
        }


async def test_every_read_model_equals_its_rebuild_from_the_log(stack: Stack) -> None:
    child_id = await ready(stack)
    worker = "socialworker.vantaa"
    for n in range(1, 5):
        await stack.network.ok(f"/referrals/referral-{n}", referral(child_id))
    await stack.network.ok("/referrals/referral-2/acceptance", {}, user=worker)
    await stack.network.ok("/referrals/referral-3/decline", {"reason": "no_capacity"}, user=worker)
    await stack.network.ok("/referrals/referral-4/withdrawal", {"reason": "found help"})
    await stack.network.ok("/partners/org-county-vantaa-kerava/inbound-pause", {"reason": "no capacity"})
    await stack.enrollment.ok(f"/children/{child_id}/consent-withdrawals", ELECTRONIC_BODY,
                              headers=stack.as_guardian(1))
    await stack.workers.caught_up()
    await stack.network_context.deadline_check().run(stack.network_context.clock())
    await stack.workers.caught_up()
    js = stack.workers.nc.jetstream()

    for projection in TABLES:
        before = await snapshot(stack, projection)
        assert any(before.values())
        await stack.network_context.runtime.read_models.rebuild(projection, js)
        assert await snapshot(stack, projection) == before, projection

    async with stack.network_context.runtime.connections.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE grafana_reader")
        await conn.fetch("SELECT * FROM network_read.v_referral_performance")
