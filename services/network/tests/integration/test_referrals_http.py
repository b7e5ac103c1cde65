"""Referrals through HTTP with real PostgreSQL and NATS: enrollment's consents reach network only through
its stream and network's own projection; a send decides on an answer never older than what enrollment has
published, writes one disclosure-log row naming the fields, and never carries what it must not."""

from __future__ import annotations

import pytest
from network_stack import COUNTY_ORG, ELECTRONIC_BODY, HETU, Stack, ready, referral

pytestmark = pytest.mark.integration

async def disclosures(stack: Stack, child_id: str) -> list[dict[str, object]]:
    async with stack.network_context.runtime.connections.acquire() as conn:
        rows = await conn.fetch(
            "SELECT service, recipient_organisation, disclosed, consent_id, legal_basis FROM audit.disclosure_log"
            " WHERE subject_id = $1 ORDER BY seq", child_id)
    return [dict(row) for row in rows]


async def stored_packet(stack: Stack, referral_id: str) -> str:
    async with stack.network_context.runtime.connections.acquire() as conn:
        payload = await conn.fetchval(
            "SELECT payload::text FROM network.events WHERE stream_id = $1 AND event_type = 'network.ReferralSent'",
            referral_id)
    return str(payload)


async def test_a_consented_referral_is_sent_with_one_disclosure_row_and_no_identity_code(stack: Stack) -> None:
    child_id = await ready(stack)

    sent = await stack.network.post("/referrals/referral-1", referral(child_id), user="mentor.vantaa")

    assert sent.status_code == 200, sent.text
    assert sent.json()["events"] == ["network.ReferralSent"]
    [row] = await disclosures(stack, child_id)
    assert row["service"] == "network" and row["recipient_organisation"] == COUNTY_ORG
    assert row["consent_id"] == "social-1" and row["legal_basis"] is None
    assert "child_name, birth_date, guardian_contacts, mentor_contact" in str(row["disclosed"])
    assert "identity_code" not in str(row["disclosed"])
    packet = await stored_packet(stack, "referral-1")
    assert HETU not in packet and "Lapsi1" not in packet  # encrypted for the child, and no identity code at all


async def test_a_retry_sends_nothing_twice(stack: Stack) -> None:
    child_id = await ready(stack)
    first = await stack.network.post("/referrals/referral-1", referral(child_id), key="same-key-1")
    again = await stack.network.post("/referrals/referral-1", referral(child_id), key="same-key-1")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert first.json()["events"] == again.json()["events"]
    assert len(await disclosures(stack, child_id)) == 1


async def test_a_withdrawal_followed_at_once_by_a_send_is_refused(stack: Stack) -> None:
    child_id = await ready(stack)
    withdrawn = await stack.enrollment.post(
        f"/children/{child_id}/consent-withdrawals", ELECTRONIC_BODY, headers=stack.as_guardian(1))
    assert withdrawn.status_code == 200, withdrawn.text
    await stack.workers.published()  # enrollment has published the withdrawal; network may not have applied it

    refused = await stack.network.post("/referrals/referral-1", referral(child_id), user="mentor.vantaa")

    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["field"] == "body.consent"
    assert "withdrawn" in problem["detail"]
    assert await disclosures(stack, child_id) == []


async def test_a_notification_is_refused_as_a_referral_with_the_countys_channel(stack: Stack) -> None:
    child_id = await ready(stack)
    refused = await stack.network.post(
        "/referrals/referral-1", referral(child_id, service_type="child_welfare_notification"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.service_type"
    assert "never e-mail" in refused.json()["detail"]


async def test_the_identity_code_is_refused_for_an_ngo_and_forbidden_fields_do_not_exist(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/partners/org-ngo-vantaa", {
        "name": "Vantaan harrastusyhdistys", "kind": "ngo", "business_id": "0201256-6",
        "service_types": ["hobby_or_club"], "municipality_codes": ["092"], "channel": "phone",
        "channel_address": "+358 9 839 21",
    })
    await stack.workers.caught_up()
    hetu = await stack.network.post("/referrals/referral-2", referral(
        child_id, organisation_id="org-ngo-vantaa", service_type="hobby_or_club", packet_fields=["identity_code"]))
    assert hetu.status_code == 422 and hetu.json()["errors"][0]["field"] == "body.packet_fields[0]"
    reasons = await stack.network.post(
        "/referrals/referral-3", referral(child_id, packet_fields=["nomination_reasons"]))
    assert reasons.status_code == 422


async def test_an_email_channel_and_a_bad_business_id_are_refused(stack: Stack) -> None:
    await stack.programme()
    email = await stack.network.post("/partners/org-x", {
        "name": "X", "kind": "ngo", "business_id": "0201256-6", "service_types": ["hobby_or_club"],
        "municipality_codes": ["092"], "channel": "secure_form", "channel_address": "kirjaamo@example.fi"})
    assert email.status_code == 422 and email.json()["errors"][0]["field"] == "body.channel_address"
    bad = await stack.network.post("/partners/org-x", {
        "name": "X", "kind": "ngo", "business_id": "0201256-7", "service_types": ["hobby_or_club"],
        "municipality_codes": ["092"], "channel": "api"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.business_id"
    other_tenant = await stack.network.post("/partners/org-x", {
        "name": "X", "kind": "ngo", "business_id": "0201256-6", "service_types": ["hobby_or_club"],
        "municipality_codes": ["109"], "channel": "api"})
    assert other_tenant.status_code == 404


async def test_the_recipient_acts_with_its_own_credentials_and_others_see_nothing(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")

    other = await stack.network.post("/referrals/referral-1/acceptance", {}, user="partner.hameenlinna")
    assert other.status_code == 404
    no_reason = await stack.network.post("/referrals/referral-1/decline", {}, user="socialworker.vantaa")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "body.reason"
    accepted = await stack.network.ok("/referrals/referral-1/acceptance", {}, user="socialworker.vantaa")
    assert accepted["events"] == ["network.ReferralReceived", "network.ReferralAccepted"]
    no_outcome = await stack.network.post("/referrals/referral-1/outcome", {}, user="socialworker.vantaa")
    assert no_outcome.status_code == 422 and no_outcome.json()["errors"][0]["field"] == "body.outcome"
    done = await stack.network.ok("/referrals/referral-1/outcome", {"outcome": "service_started"},
                                  user="socialworker.vantaa")
    assert done["events"] == ["network.ReferralOutcomeRecorded"]
    late = await stack.network.post("/referrals/referral-1/withdrawal", {"reason": "x"}, user="mentor.vantaa")
    assert late.status_code == 409


async def test_every_command_needs_a_token(stack: Stack) -> None:
    response = await stack.network.http.post("/v1/referrals/referral-1", json={})
    assert response.status_code == 401


async def test_a_family_partnership_through_http_and_the_workers_own_list(stack: Stack) -> None:
    worker = "partner.hameenlinna"
    path = "/family-partnerships/family-109-0001"
    referred = await stack.network.ok(path, {
        "organisation_id": "org-sos-family-partner", "worker_id": "user-partner.hameenlinna",
        "municipality_code": "109", "route": "child_health_clinic", "child_ids": ["child-109-0001"],
        "referred_on": "2026-03-02"}, user=worker)
    assert referred["events"] == ["network.FamilyReferred"]
    early_plan = await stack.network.post(f"{path}/support-plan", {
        "goals": ["daily_routines"], "agreed_on": "2026-03-30", "review_by": "2026-06-30"}, user=worker)
    assert early_plan.status_code == 409 and "initial assessment" in early_plan.json()["detail"]
    await stack.network.ok(f"{path}/initial-assessment", {"assessed_on": "2026-03-16"}, user=worker)
    await stack.network.ok(f"{path}/support-plan", {
        "goals": ["daily_routines"], "agreed_on": "2026-03-30", "review_by": "2026-06-30"}, user=worker)
    other = await stack.network.post(f"{path}/meetings", {"kind": "home_visit", "met_on": "2026-04-07",
                                                          "minutes": 60}, user="coordinator.vantaa")
    assert other.status_code == 404  # Vantaa's coordinator has no business with a Hämeenlinna family
    await stack.workers.caught_up()
    [row] = (await stack.network.get("/family-partnerships", user=worker)).json()
    assert row["phase"] == "intensive" and row["goals"] == ["daily_routines"]
    assert row["flagged"] is False and row["months"] >= 8


async def grafana_reads(stack: Stack, view: str) -> list[dict[str, object]]:
    async with stack.network_context.runtime.connections.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE grafana_reader")
        rows = await conn.fetch(f"SELECT * FROM network_read.{view}")
    return [dict(row) for row in rows]


async def test_performance_for_grafana_is_suppressed_below_five_and_names_no_child(stack: Stack) -> None:
    child_id = await ready(stack)
    for n in range(1, 6):
        await stack.network.ok(f"/referrals/referral-{n}", referral(child_id))
        await stack.network.ok(f"/referrals/referral-{n}/acceptance", {}, user="socialworker.vantaa")
        if n < 5:
            await stack.network.ok(f"/referrals/referral-{n}/outcome", {"outcome": "service_started"},
                                   user="socialworker.vantaa")
    await stack.workers.caught_up()

    [performance] = await grafana_reads(stack, "v_referral_performance")
    assert performance["referrals"] == 5
    assert performance["open"] is None  # one open referral: a count of 1 to 4 inside a shown group is hidden
    assert performance["service_type"] == "family_social_work"
    assert "child_id" not in performance
    assert await grafana_reads(stack, "v_referral_outcomes") == []  # four outcomes: suppressed
    async with stack.network_context.runtime.connections.acquire() as conn:
        assert not await conn.fetchval(
            "SELECT has_table_privilege('grafana_reader', 'network_read.referrals', 'SELECT')")


async def test_the_guardian_sees_the_childs_referrals_and_what_was_disclosed_to_whom(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.workers.caught_up()
    path = f"/v1/guardian/children/{child_id}/referrals"

    own = await stack.network.http.get(path, headers=stack.network.token("guardian.vantaa", sub="guardian-1"))
    stranger = await stack.network.http.get(path, headers=stack.network.token("guardian.vantaa", sub="guardian-9"))

    assert own.status_code == 200, own.text
    body = own.json()
    assert [r["referral_id"] for r in body["referrals"]] == ["referral-1"]
    [disclosure] = body["disclosures"]
    assert disclosure["recipient_organisation"] == COUNTY_ORG and disclosure["consent_id"] == "social-1"
    assert "child_name" in disclosure["disclosed"]
    assert stranger.status_code == 404


async def test_each_recipient_sees_only_its_own_inbox(stack: Stack) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.workers.caught_up()
    own = (await stack.network.get("/inbox", user="socialworker.vantaa")).json()
    other = (await stack.network.get("/inbox", user="partner.hameenlinna")).json()
    assert [r["referral_id"] for r in own["open"]] == ["referral-1"]
    assert other["open"] == [] and other["closed"] == []
    assert (await stack.network.get("/inbox", user="mentor.vantaa")).status_code == 403


async def test_a_decline_for_no_capacity_is_rerouted_and_an_offline_referral_is_closed_by_the_sender(
    stack: Stack,
) -> None:
    child_id = await ready(stack)
    await stack.network.ok("/partners/org-county-child-welfare", {
        "name": "Lastensuojelu", "kind": "county_child_welfare", "business_id": "1000002-0",
        "service_types": ["service_need_assessment"], "municipality_codes": ["092"], "channel": "phone",
        "channel_address": "+358 9 839 22"})
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.network.ok("/referrals/referral-1/decline", {"reason": "no_capacity"}, user="socialworker.vantaa")

    rerouted = await stack.network.ok("/referrals/referral-2", referral(
        child_id, organisation_id="org-county-child-welfare", service_type="service_need_assessment",
        legal_basis="child_welfare_act_25a_joint_request", rerouted_from="referral-1"), user="mentor.vantaa")
    assert rerouted["events"] == ["network.ReferralSent", "network.ReferralRerouted"]
    closed = await stack.network.ok("/referrals/referral-2/outcome", {
        "outcome": "assessed_no_need", "by_sender": True}, user="mentor.vantaa")
    assert closed["events"] == ["network.ReferralOutcomeRecorded"]
    await stack.workers.caught_up()
    rows = {r["referral_id"]: r for r in (await stack.network.get("/referrals", user="mentor.vantaa")).json()}
    assert rows["referral-1"]["status"] == "rerouted" and rows["referral-1"]["rerouted_to"] == "referral-2"
    assert rows["referral-2"]["status"] == "completed" and rows["referral-2"]["rerouted_from"] == "referral-1"
    assert rows["referral-2"]["basis"] == "Lastensuojelulaki 417/2007 25 a §"

    await stack.network.ok(f"/partners/{COUNTY_ORG}/inbound-pause", {"reason": "no capacity this month"})
    paused = await stack.network.post("/referrals/referral-3", referral(child_id), user="mentor.vantaa")
    assert paused.status_code == 409 and "paused" in paused.json()["detail"]
