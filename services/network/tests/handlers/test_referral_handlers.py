"""The handlers on the in-memory store: the directory, a send that asks the freshness gate first and the
consent rules at the moment of sending, a withdrawal just before a send, re-routing, recipients' own inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import rinnalla_consent as consent
from network_builders import CHILD, G1, G2, NGO_ORG, T0, TEAM, child, consented, register, registered, send
from network_desk import COORDINATOR, Desk, Staff
from rinnalla_network.application.ports import RegisterBehind
from rinnalla_network.domain import commands as c
from rinnalla_network.domain.errors import ConsentRefusesSharing, InvalidTransition, NotFound
from rinnalla_network.domain.values import DeclineReason, OrganisationKind, ServiceType

COUNTY_WORKER = Staff(organisation_id="org-county-vantaa-kerava")


async def ready() -> Desk:
    desk = Desk.empty()
    await desk.partner(register())
    desk.children.children[CHILD] = child()
    desk.children.facts[CHILD] = [*registered(G1, G2),
                                  *consented(consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, G1, G2)]
    return desk


async def test_registering_needs_a_tenant_in_the_area_served() -> None:
    desk = Desk.empty()
    with pytest.raises(NotFound):
        await desk.partner(register(), Staff(("109",)))
    assert await desk.recorded() == []
    await desk.partner(register())
    assert await desk.recorded() == ["network.PartnerRegistered"]


async def test_a_send_asks_the_freshness_gate_before_the_consent_rules() -> None:
    desk = await ready()
    outcome = await desk.send(send())
    assert outcome.result["events"] == ["network.ReferralSent"]
    assert desk.gate.checks == 1
    desk.gate.behind = 3
    with pytest.raises(RegisterBehind):
        await desk.send(send("referral-2"))
    assert await desk.recorded() == ["network.PartnerRegistered", "network.ReferralSent"]


async def test_a_withdrawal_just_before_the_send_refuses_it() -> None:
    desk = await ready()
    desk.children.facts[CHILD].append(consent.ConsentWithdrawn(
        consent_id=f"consent-{G1}-sharing_with_social_services", withdrawn_by=G1, at=T0 - timedelta(milliseconds=1)))
    with pytest.raises(ConsentRefusesSharing):
        await desk.send(send())
    assert "network.ReferralSent" not in await desk.recorded()


async def test_a_retry_answers_the_first_outcome() -> None:
    desk = await ready()
    first = await desk.send(send(), key="k-1")
    again = await desk.send(send(), key="k-1")
    assert again.replayed and again.result == first.result
    assert (await desk.recorded()).count("network.ReferralSent") == 1


async def test_a_mentor_refers_only_children_of_their_own_team() -> None:
    desk = await ready()
    with pytest.raises(NotFound):
        await desk.send(send(), guard=Staff(teams=frozenset({"team-other"})))
    assert (await desk.send(send(), guard=Staff(teams=frozenset({TEAM})))).changed


async def test_recipients_act_only_on_their_own_referrals() -> None:
    desk = await ready()
    await desk.send(send())
    with pytest.raises(NotFound):
        await desk.step(c.ReceiveReferral(referral_id="referral-1", by="x", at=T0), Staff(organisation_id="org-other"))
    outcome = await desk.step(c.AcceptReferral(referral_id="referral-1", by="w", at=T0), COUNTY_WORKER)
    assert outcome.result["events"] == ["network.ReferralReceived", "network.ReferralAccepted"]


async def test_a_decline_for_no_capacity_is_rerouted_to_another_organisation_linked() -> None:
    desk = await ready()
    await desk.partner(register(NGO_ORG, OrganisationKind.NGO, services=(ServiceType.FAMILY_SOCIAL_WORK,)))
    desk.children.facts[CHILD] += consented(consent.Purpose.SHARING_WITH_PARTNER_ORGANISATIONS, G1, G2)
    await desk.send(send())
    await desk.step(c.DeclineReferral(referral_id="referral-1", reason=DeclineReason.NO_CAPACITY, by="w", at=T0),
                    COUNTY_WORKER)
    outcome = await desk.send(send("referral-2", organisation_id=NGO_ORG, rerouted_from="referral-1",
                                   packet_fields=("child_name",)))
    assert outcome.result["events"] == ["network.ReferralSent", "network.ReferralRerouted"]


async def test_a_sender_withdraws_and_the_recipient_can_no_longer_accept() -> None:
    desk = await ready()
    await desk.send(send())
    await desk.step(c.WithdrawReferral(referral_id="referral-1", reason="found help", by="m", at=T0), COORDINATOR)
    with pytest.raises(InvalidTransition, match="withdrawn"):
        await desk.step(c.AcceptReferral(referral_id="referral-1", by="w", at=T0), COUNTY_WORKER)
