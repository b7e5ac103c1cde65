"""Sending a referral: the consent rules at the moment of sending or a recorded legal basis, a packet from
the recipient kind's whitelist, deadlines from its service level, and no notification as a referral."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import rinnalla_consent as consent
from network_builders import (
    CHILD,
    G1,
    G2,
    NGO_ORG,
    T0,
    both_guardians_consented,
    child,
    consented,
    partner_state,
    register,
    registered,
    send,
)
from rinnalla_network.domain import events as e
from rinnalla_network.domain import referral
from rinnalla_network.domain.errors import ConsentRefusesSharing, InvalidTransition, InvalidValue, NotAReferral
from rinnalla_network.domain.service_levels import ServiceLevels
from rinnalla_network.domain.values import LegalBasis, OrganisationKind, PacketField, ServiceType

LEVELS = ServiceLevels()
COUNTY = partner_state()
CHILD_WELFARE = partner_state(register("org-cw", OrganisationKind.COUNTY_CHILD_WELFARE,
                                       services=(ServiceType.SERVICE_NEED_ASSESSMENT,)))
NGO = partner_state(register(NGO_ORG, OrganisationKind.NGO, services=(ServiceType.HOBBY_OR_CLUB,)))


def sent(view: consent.ConsentView, partner: object = COUNTY, **overrides: object) -> e.ReferralSent:
    [event] = referral.send(referral.initial(), partner, child(), view, LEVELS, send(**overrides))  # type: ignore[arg-type]
    assert isinstance(event, e.ReferralSent)
    return event


def test_both_guardians_consented_the_referral_is_sent_on_both_consents_without_the_identity_code() -> None:
    event = sent(both_guardians_consented())
    assert set(event.consent_ids) == {f"consent-{G1}-sharing_with_social_services",
                                      f"consent-{G2}-sharing_with_social_services"}
    assert event.legal_basis is None
    assert PacketField.IDENTITY_CODE not in event.fields_sent
    assert event.packet.identity_code == ""
    assert event.packet.child_name == "Aino Esimerkki"
    assert [g.guardian_id for g in event.packet.guardian_contacts] == [G1, G2]
    assert event.packet.mentor_contact is not None and event.packet.mentor_contact.phone == "+358 40 765 4321"
    assert set(event.fields_sent) >= {PacketField.REQUESTED_SERVICE, PacketField.URGENCY, PacketField.SUMMARY}


def test_joint_custody_one_guardians_consent_is_not_enough() -> None:
    view = consent.fold([*registered(G1, G2), *consented(consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, G1)])
    with pytest.raises(ConsentRefusesSharing) as refused:
        sent(view)
    assert "joint custody" in refused.value.reason


def test_a_withdrawn_consent_refuses_the_send_at_once() -> None:
    view = consent.fold([
        *registered(G1, G2), *consented(consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, G1, G2),
        consent.ConsentWithdrawn(consent_id=f"consent-{G2}-sharing_with_social_services", withdrawn_by=G2,
                                 at=T0 - timedelta(seconds=1)),
    ])
    with pytest.raises(ConsentRefusesSharing):
        sent(view)


def test_consent_for_another_purpose_does_not_cover_the_recipient() -> None:
    with pytest.raises(ConsentRefusesSharing):
        sent(both_guardians_consented(consent.Purpose.SHARING_WITH_SCHOOL))


def prohibited() -> consent.ConsentView:
    return consent.fold([
        *registered(G1, G2), *consented(consent.Purpose.SHARING_WITH_SOCIAL_SERVICES, G1, G2),
        consent.MinorUnderstandingAssessed(subject_id=CHILD, purpose=None, understands=True, assessed_by="user-x",
                                           at=T0 - timedelta(days=2)),
        consent.MinorProhibitionRecorded(subject_id=CHILD, purpose=None, at=T0 - timedelta(days=1)),
    ])


def test_a_minors_prohibition_in_force_refuses_the_referral_despite_the_guardians_consent() -> None:
    with pytest.raises(ConsentRefusesSharing) as refused:
        sent(prohibited())
    assert "prohibited" in refused.value.reason


def test_the_notification_duty_holds_despite_a_prohibition_and_is_recorded_as_the_law() -> None:
    event = sent(prohibited(), CHILD_WELFARE, organisation_id="org-cw",
                 service_type=ServiceType.SERVICE_NEED_ASSESSMENT, legal_basis=LegalBasis.CHILD_WELFARE_ACT_25)
    assert event.legal_basis is LegalBasis.CHILD_WELFARE_ACT_25
    assert event.basis == "Lastensuojelulaki 417/2007 25 §"
    assert event.consent_ids == ()


def test_a_joint_request_is_not_made_against_the_minors_prohibition() -> None:
    with pytest.raises(ConsentRefusesSharing) as refused:
        sent(prohibited(), legal_basis=LegalBasis.CHILD_WELFARE_ACT_25A_JOINT_REQUEST)
    assert refused.value.field == "legal_basis"


def test_social_welfare_act_35_allows_a_contact_to_social_services_without_consent() -> None:
    event = sent(consent.fold(registered(G1, G2)), legal_basis=LegalBasis.SOCIAL_WELFARE_ACT_35)
    assert event.basis == "Sosiaalihuoltolaki 1301/2014 35 §"


def test_a_legal_basis_allows_only_the_recipient_the_law_names() -> None:
    with pytest.raises(ConsentRefusesSharing) as refused:
        sent(consent.fold(registered(G1, G2)), NGO, organisation_id=NGO_ORG, service_type=ServiceType.HOBBY_OR_CLUB,
             packet_fields=(), legal_basis=LegalBasis.SOCIAL_WELFARE_ACT_35)
    assert refused.value.field == "legal_basis"


def test_the_identity_code_goes_only_to_an_authority_that_needs_it() -> None:
    to_county = sent(both_guardians_consented(), packet_fields=("child_name", "identity_code"))
    assert to_county.packet.identity_code == "020219A123X"
    with pytest.raises(InvalidValue) as refused:
        sent(both_guardians_consented(consent.Purpose.SHARING_WITH_PARTNER_ORGANISATIONS), NGO,
             organisation_id=NGO_ORG, service_type=ServiceType.HOBBY_OR_CLUB, packet_fields=("identity_code",))
    assert refused.value.field == "packet_fields[0]"


def test_nomination_reasons_assessments_and_notes_cannot_be_asked_for() -> None:
    for forbidden in ("nomination_reasons", "sdq", "caselog_notes"):
        with pytest.raises(ValueError, match="packet_fields"):
            send(packet_fields=(forbidden,))


def test_a_notification_is_refused_as_a_referral_with_the_countys_channel() -> None:
    with pytest.raises(NotAReferral) as refused:
        sent(both_guardians_consented(), service_type=ServiceType.CHILD_WELFARE_NOTIFICATION)
    assert refused.value.field == "service_type"
    assert "never e-mail" in refused.value.reason and "112" in refused.value.reason


def test_a_child_who_left_is_not_referred() -> None:
    with pytest.raises(InvalidTransition):
        referral.send(referral.initial(), COUNTY, child(exited=True), both_guardians_consented(), LEVELS, send())


def test_the_same_send_again_changes_nothing() -> None:
    event = sent(both_guardians_consented())
    state = referral.evolve(referral.initial(), event)
    assert referral.send(state, COUNTY, child(), both_guardians_consented(), LEVELS, send()) == []


def test_deadlines_count_finnish_working_days_from_the_day_of_sending() -> None:
    event = sent(both_guardians_consented())  # Monday 2 March 2026
    assert event.acknowledge_by == date(2026, 3, 4)
    assert event.decide_by == date(2026, 3, 11)
    assert event.outcome_by == date(2026, 6, 2)
