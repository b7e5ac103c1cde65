"""Consent changes while referrals are open, the freshness gate, and the scheduled deadline check, through
HTTP with real PostgreSQL and NATS."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from network_stack import ELECTRONIC_BODY, HETU, Stack, ready, referral
from rinnalla_consent import finnish_day
from rinnalla_network.domain.calendar import add_working_days

pytestmark = pytest.mark.integration


async def inbox(stack: Stack) -> dict[str, object]:
    response = await stack.network.get("/inbox", user="socialworker.vantaa")
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def test_a_consent_withdrawn_while_a_referral_is_open_stops_sharing_at_once(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.workers.caught_up()
    before = await inbox(stack)
    [open_before] = before["open"]  # type: ignore[misc]
    assert open_before["packet"]["child_name"] == "Lapsi1 Esimerkki"
    assert open_before["packet"]["identity_code"] == ""

    withdrawn = await stack.enrollment.post(f"/children/{child_id}/consent-withdrawals", ELECTRONIC_BODY,
                                            headers=stack.as_guardian(1))
    assert withdrawn.status_code == 200, withdrawn.text
    await stack.workers.published()

    after = await inbox(stack)
    [open_after] = after["open"]  # type: ignore[misc]
    assert open_after["packet"] is None
    assert open_after["sharing_stopped"] is True and "withdrawn" in open_after["sharing_stopped_reason"]
    mentor_view = await stack.network.get("/referrals", user="mentor.vantaa")
    assert mentor_view.json()[0]["sharing_stopped"] is True

    report = await stack.network_context.deadline_check().run(stack.network_context.clock())
    assert report.recorded == ["referral-1:network.ReferralSharingStopped"]
    again = await stack.network_context.deadline_check().run(stack.network_context.clock())
    assert again.recorded == []


async def test_a_send_waits_for_the_consent_register_and_answers_503_if_it_stays_behind(stack: Stack) -> None:
    await stack.programme()
    child_id = await stack.enrolled_child(1, hetu=HETU)
    await stack.county_partner()
    await stack.workers.published(network=False)  # enrollment published; network's projection is not running
    stack.network_context.freshness.wait_seconds = 0.2  # type: ignore[attr-defined]

    behind = await stack.network.post("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    assert behind.status_code == 503, behind.text
    assert behind.headers["Retry-After"] == "2"
    assert behind.json()["type"].endswith("consent_register_behind")

    await stack.workers.start()
    stack.network_context.freshness.wait_seconds = 30  # type: ignore[attr-defined]
    sent = await stack.network.post("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    assert sent.status_code == 200, sent.text


async def test_the_scheduled_check_reminds_and_escalates_at_the_service_clock(stack: Stack) -> None:
    child_id = await ready(stack)
    network = stack.network_context
    sent_at = network.clock()
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.workers.caught_up()
    day = finnish_day(sent_at)
    acknowledge_by, decide_by = add_working_days(day, 2), add_working_days(day, 7)

    def on(target: date) -> datetime:
        return sent_at + timedelta(days=(target - day).days)

    network.runtime.clock = lambda: on(acknowledge_by)
    first = await network.deadline_check().run(network.clock())
    assert first.recorded == ["referral-1:network.ReferralReminderDue"]
    network.runtime.clock = lambda: on(decide_by + timedelta(days=1))
    later = await network.deadline_check().run(network.clock())
    assert later.recorded == ["referral-1:network.ReferralReminderDue", "referral-1:network.ReferralEscalated"]
    await stack.workers.caught_up()
    [row] = (await stack.network.get("/referrals", user="coordinator.vantaa")).json()
    assert row["reminders"] == ["acknowledge", "decide"] and row["escalations"] == ["decide"]
    assert row["overdue"] is True
