"""The partner directory: Y-tunnus checked, the area served from the reference data, no e-mail channel,
inbound referrals paused and resumed."""

from __future__ import annotations

import pytest
from network_builders import T0, partner_state, register
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import events as e
from rinnalla_network.domain import partner
from rinnalla_network.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound
from rinnalla_network.domain.values import Channel, OrganisationKind, ServiceType


def test_a_registered_organisation_serves_the_counties_of_its_municipalities() -> None:
    [event] = partner.decide(partner.initial(), register(municipalities=("092", "245", "109")))
    assert isinstance(event, e.PartnerRegistered)
    assert event.municipality_codes == ("092", "245", "109")
    # Vantaa and Kerava are one county, Hämeenlinna is Kanta-Häme's
    assert len(event.county_codes) == 2


def test_the_business_id_is_checked_and_normalised() -> None:
    with pytest.raises(InvalidValue) as refused:
        partner.decide(partner.initial(), register(business_id="0201256-7"))
    assert refused.value.field == "business_id"


def test_an_unknown_municipality_is_refused_by_its_position() -> None:
    with pytest.raises(InvalidValue) as refused:
        partner.decide(partner.initial(), register(municipalities=("092", "999")))
    assert refused.value.field == "municipality_codes[1]"


def test_offline_channels_name_a_phone_number_or_a_secure_form_never_an_email_address() -> None:
    phone = partner.decide(partner.initial(), register(channel=Channel.PHONE, address="+358 9 839 21"))
    assert phone[0].channel_address == "+358 9 839 21"  # type: ignore[attr-defined]
    form = register(channel=Channel.SECURE_FORM, address="https://asiointi.example.fi/lomake")
    assert partner.decide(partner.initial(), form)
    for channel, address in [(Channel.SECURE_FORM, "lomake@example.fi"), (Channel.PHONE, "kirjaamo@vantaa.fi"),
                             (Channel.SECURE_FORM, "http://plain.example.fi"), (Channel.PHONE, ""),
                             (Channel.API, "+358 9 123")]:
        with pytest.raises(InvalidValue) as refused:
            partner.decide(partner.initial(), register(channel=channel, address=address))
        assert refused.value.field == "channel_address"
    assert "email" not in {channel.value for channel in Channel}


def test_a_notification_is_not_a_service_an_organisation_offers() -> None:
    with pytest.raises(InvalidValue) as refused:
        partner.decide(partner.initial(), register(services=(ServiceType.CHILD_WELFARE_NOTIFICATION,)))
    assert refused.value.field == "service_types[0]"


def test_registering_again_the_same_changes_nothing_and_anything_else_is_a_conflict() -> None:
    state = partner_state()
    assert partner.decide(state, register()) == []
    with pytest.raises(AlreadyExists):
        partner.decide(state, register(kind=OrganisationKind.NGO))


def test_inbound_referrals_pause_and_resume_once() -> None:
    state = partner_state()
    paused = partner.decide(state, c.PauseInbound(organisation_id=state.organisation_id, reason="no capacity", at=T0))
    assert isinstance(paused[0], e.PartnerInboundPaused)
    state = partner.evolve(state, paused[0])
    assert partner.decide(state, c.PauseInbound(organisation_id=state.organisation_id, reason="again", at=T0)) == []
    with pytest.raises(InvalidTransition):
        partner.require_open_to(state, ServiceType.FAMILY_SOCIAL_WORK, "092")
    resumed = partner.decide(state, c.ResumeInbound(organisation_id=state.organisation_id, at=T0))
    state = partner.evolve(state, resumed[0])
    kind = partner.require_open_to(state, ServiceType.FAMILY_SOCIAL_WORK, "092")
    assert kind is OrganisationKind.COUNTY_SOCIAL_SERVICES


def test_a_referral_needs_a_service_the_organisation_offers_in_the_childs_municipality() -> None:
    state = partner_state()
    with pytest.raises(InvalidValue) as wrong_service:
        partner.require_open_to(state, ServiceType.HOBBY_OR_CLUB, "092")
    assert wrong_service.value.field == "service_type"
    with pytest.raises(InvalidValue) as elsewhere:
        partner.require_open_to(state, ServiceType.FAMILY_SOCIAL_WORK, "109")
    assert elsewhere.value.field == "organisation_id"
    with pytest.raises(NotFound):
        partner.require_open_to(partner.initial(), ServiceType.FAMILY_SOCIAL_WORK, "092")


def test_services_and_channel_change() -> None:
    state = partner_state()
    changed = partner.decide(state, c.ChangePartnerServices(
        organisation_id=state.organisation_id, service_types=(ServiceType.HOME_SERVICE,), municipality_codes=("092",),
        at=T0))
    state = partner.evolve(state, changed[0])
    assert state.service_types == (ServiceType.HOME_SERVICE,) and state.municipality_codes == ("092",)
    moved = partner.decide(state, c.ChangePartnerChannel(
        organisation_id=state.organisation_id, channel=Channel.PHONE, channel_address="09 839 21", at=T0))
    state = partner.evolve(state, moved[0])
    assert state.channel is Channel.PHONE
