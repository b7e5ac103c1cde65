"""Free text is personal by default: a referral's withdrawal and stop reasons are stored encrypted with the
child's key (the events name the child, v2), a partner's pause reason with a key of the partner's network
record (kind `network_record`); network's own reads still show them."""

from __future__ import annotations

import pytest
from network_stack import COUNTY_ORG, ELECTRONIC_BODY, Stack, ready, referral

pytestmark = pytest.mark.integration

WITHDRAWN = "Matti Virtanen asked us to wait until the family has moved"
PAUSED = "Liisa Nieminen is on leave until March"


async def test_network_reasons_are_not_stored_in_plaintext_and_read_back(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    withdrawn = await stack.network.ok("/referrals/referral-1/withdrawal", {"reason": WITHDRAWN},
                                       user="mentor.vantaa")
    assert withdrawn["events"] == ["network.ReferralWithdrawn"]
    await stack.network.ok("/referrals/referral-2", referral(child_id), user="mentor.vantaa")
    consent = await stack.enrollment.post(f"/children/{child_id}/consent-withdrawals", ELECTRONIC_BODY,
                                          headers=stack.as_guardian(1))
    assert consent.status_code == 200, consent.text
    await stack.workers.published()
    report = await stack.network_context.deadline_check().run(stack.network_context.clock())
    assert report.recorded == ["referral-2:network.ReferralSharingStopped"]
    await stack.network.ok(f"/partners/{COUNTY_ORG}/inbound-pause", {"reason": PAUSED})
    await stack.workers.caught_up()

    async with stack.network_context.runtime.connections.acquire() as conn:
        every = await conn.fetch("SELECT payload::text AS payload FROM network.events")
        rows = await conn.fetch(
            "SELECT event_type, schema_version, payload->>'child_id' AS child_id,"
            " jsonb_typeof(payload->'reason') AS reason_type FROM network.events WHERE event_type = ANY($1::text[])"
            " ORDER BY position",
            ["network.ReferralWithdrawn", "network.ReferralSharingStopped", "network.PartnerInboundPaused"],
        )
    stored = "\n".join(r["payload"] for r in every)
    for text in (WITHDRAWN, PAUSED, "Virtanen", "Nieminen"):
        assert text not in stored
    assert [tuple(r) for r in rows] == [
        ("network.ReferralWithdrawn", 2, child_id, "object"),
        ("network.ReferralSharingStopped", 2, child_id, "object"),
        ("network.PartnerInboundPaused", 2, None, "object"),
    ]

    # network's own reads decrypt them: the partner directory and the referral's stream
    partners = await stack.network.get("/partners", user="coordinator.vantaa")
    assert partners.status_code == 200, partners.text
    [county] = [p for p in partners.json() if p["organisation_id"] == COUNTY_ORG]
    assert county["paused"] is True and county["paused_reason"] == PAUSED
    recorded = await stack.network_context.runtime.store.read_stream("referral", "referral-1")
    assert [getattr(r.event, "reason", None) for r in recorded][-1] == WITHDRAWN
    stopped = await stack.network_context.runtime.store.read_stream("referral", "referral-2")
    assert "withdrawn" in str(getattr(stopped[-1].event, "reason", ""))
