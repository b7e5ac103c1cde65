"""A child erased in enrollment leaves no row in network's read models, and their referral packet reads back
as erased: the key that encrypted it is gone."""

from __future__ import annotations

import uuid

import pytest
from network_stack import Stack, ready, referral
from rinnalla_network.domain import events as e

pytestmark = pytest.mark.integration


async def test_an_erased_child_leaves_no_row_and_the_packet_is_unreadable(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.enrollment.ok(f"/children/{child_id}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    token = stack.enrollment.token("dpo.vantaa")
    token.pop("X-Purpose", None)  # an erasure's purpose is always data_subject_erasure, the route's default
    erased = await stack.enrollment.http.post(
        f"/v1/children/{child_id}/erasure", json={"reason": "Guardian's erasure request, case DPO-2026-014"},
        headers={**token, "Idempotency-Key": str(uuid.uuid4())})
    assert erased.status_code == 200, erased.text
    await stack.workers.caught_up()

    async with stack.network_context.runtime.connections.acquire() as conn:
        for table in ("children", "consent_facts", "referrals"):
            assert await conn.fetchval(f"SELECT count(*) FROM network_read.{table} WHERE child_id = $1",
                                       child_id) == 0, table
    # network's own process caches keys for up to 30 s (libs/events): a fresh read goes to the key table
    stack.network_context.runtime.key_store.forget(child_id)  # type: ignore[attr-defined]
    [sent] = [r.event for r in await stack.network_context.runtime.store.read_stream("referral", "referral-1")
              if isinstance(r.event, e.ReferralSent)]
    assert "Lapsi1" not in sent.packet.child_name and sent.packet.summary != referral(child_id)["summary"]
