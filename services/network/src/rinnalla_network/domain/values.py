"""The network domain's vocabulary: kinds of partner organisation, how they receive referrals, service
types, reason codes, urgency, the lifecycle's states and the reasons a referral ends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated

from pydantic import Field, StringConstraints
from rinnalla_consent import RecipientKind

Id = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

# Bounds of what a command may carry: wide enough for every real value, narrow enough that no request can make
# an event the bus cannot carry. One place, visible in the OpenAPI schema; the domain rules refine them.
Code = Annotated[str, StringConstraints(max_length=20)]
"""A code: a municipality's (kuntanumero), a Y-tunnus."""
EARLIEST_DAY = date(1990, 1, 1)  # before the programme began: older records do not exist
LATEST_DAY = date(2100, 12, 31)
Day = Annotated[
    date,
    Field(
        ge=EARLIEST_DAY,
        le=LATEST_DAY,
        json_schema_extra={"formatMinimum": EARLIEST_DAY.isoformat(), "formatMaximum": LATEST_DAY.isoformat()},
    ),
]
"""A business date within the years the network can concern."""
MAX_MUNICIPALITIES = 400  # Finland has about 300: an organisation serving all of them fits
MAX_FAMILY_CHILDREN = 15
MAX_FAMILY_GUARDIANS = 8  # parents, foster carers, a court-appointed guardian
MAX_FAMILY_MEMBERS = MAX_FAMILY_CHILDREN + MAX_FAMILY_GUARDIANS


class OrganisationKind(StrEnum):
    """Who a referral can go to. Since 2023 social services, child welfare, health centres and school
    welfare (curators and psychologists) are the wellbeing services county's; schools, early childhood
    education and learning support are the municipality's."""

    COUNTY_SOCIAL_SERVICES = "county_social_services"
    COUNTY_CHILD_WELFARE = "county_child_welfare"
    HEALTH_CENTRE = "health_centre"
    SCHOOL_WELFARE = "school_welfare"
    CHILD_PSYCHIATRY = "child_psychiatry"
    LEARNING_SUPPORT = "learning_support"
    SCHOOL = "school"
    EARLY_CHILDHOOD_EDUCATION = "early_childhood_education"
    POLICE = "police"
    NGO = "ngo"
    FAMILY_PARTNER_ORGANISATION = "family_partner_organisation"


RECIPIENT_KIND: Mapping[OrganisationKind, RecipientKind] = MappingProxyType(
    {
        OrganisationKind.COUNTY_SOCIAL_SERVICES: RecipientKind.SOCIAL_SERVICES,
        OrganisationKind.COUNTY_CHILD_WELFARE: RecipientKind.CHILD_WELFARE_AUTHORITY,
        OrganisationKind.HEALTH_CENTRE: RecipientKind.HEALTH_SERVICES,
        # The county's student welfare (curators, psychologists) is a social and health service of the county;
        # a referral to it rests on the consent to share with social services.
        OrganisationKind.SCHOOL_WELFARE: RecipientKind.SOCIAL_SERVICES,
        OrganisationKind.CHILD_PSYCHIATRY: RecipientKind.HEALTH_SERVICES,
        OrganisationKind.LEARNING_SUPPORT: RecipientKind.SCHOOL,
        OrganisationKind.SCHOOL: RecipientKind.SCHOOL,
        OrganisationKind.EARLY_CHILDHOOD_EDUCATION: RecipientKind.EARLY_CHILDHOOD_EDUCATION,
        OrganisationKind.POLICE: RecipientKind.POLICE,
        OrganisationKind.NGO: RecipientKind.PARTNER_ORGANISATION,
        OrganisationKind.FAMILY_PARTNER_ORGANISATION: RecipientKind.PARTNER_ORGANISATION,
    }
)
"""Which kind of recipient the consent rules see in each kind of organisation."""

# Authorities that keep a client or patient record under the person's identity code and need it to find
# the right person: only they receive it.
IDENTITY_CODE_RECIPIENTS: frozenset[OrganisationKind] = frozenset(
    {
        OrganisationKind.COUNTY_SOCIAL_SERVICES,
        OrganisationKind.COUNTY_CHILD_WELFARE,
        OrganisationKind.HEALTH_CENTRE,
        OrganisationKind.CHILD_PSYCHIATRY,
    }
)


class Channel(StrEnum):
    """How an organisation receives referrals. Never e-mail: a referral carries a child's personal data."""

    API = "api"  # the organisation logs in (its system or its workers) and acts on its inbox
    PHONE = "phone"  # offline: the sender phones; the sender records what they learn
    SECURE_FORM = "secure_form"  # offline: the organisation's own secure web form


OFFLINE_CHANNELS = frozenset({Channel.PHONE, Channel.SECURE_FORM})


class ServiceType(StrEnum):
    """What a referral asks for."""

    FAMILY_SOCIAL_WORK = "family_social_work"
    SERVICE_NEED_ASSESSMENT = "service_need_assessment"  # Social Welfare Act 36 §
    HOME_SERVICE = "home_service"
    FAMILY_COUNSELLING = "family_counselling"
    SCHOOL_CURATOR = "school_curator"
    SCHOOL_PSYCHOLOGIST = "school_psychologist"
    HEALTH_EXAMINATION = "health_examination"
    CHILD_PSYCHIATRIC_ASSESSMENT = "child_psychiatric_assessment"
    LEARNING_SUPPORT = "learning_support"
    EARLY_CHILDHOOD_SUPPORT = "early_childhood_support"
    HOBBY_OR_CLUB = "hobby_or_club"
    PEER_SUPPORT = "peer_support"
    FAMILY_PARTNER = "family_partner"
    # Never a service: a child-welfare notification goes through the county's own channel (Child Welfare
    # Act 25 §). It is named only to be refused with a pointer to that channel.
    CHILD_WELFARE_NOTIFICATION = "child_welfare_notification"


class ReasonCode(StrEnum):
    """Why the child or family is referred (codes, never free-text assessments)."""

    SCHOOL_ABSENCE = "school_absence"
    LEARNING_DIFFICULTIES = "learning_difficulties"
    WELLBEING_CONCERN = "wellbeing_concern"
    FAMILY_STRAIN = "family_strain"
    HEALTH_CONCERN = "health_concern"
    SOCIAL_ISOLATION = "social_isolation"
    HOBBY_ACCESS = "hobby_access"
    FAMILY_REQUEST = "family_request"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"


class ReferralStatus(StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    REROUTED = "rerouted"
    EXPIRED = "expired"


OPEN_STATUSES = frozenset(
    {ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}
)


class DeclineReason(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    NO_CAPACITY = "no_capacity"
    WRONG_SERVICE = "wrong_service"
    FAMILY_DECLINED = "family_declined"


class Outcome(StrEnum):
    """What came of a referral (required to complete it)."""

    SERVICE_STARTED = "service_started"
    SERVICE_COMPLETED = "service_completed"
    ASSESSED_NO_NEED = "assessed_no_need"
    FAMILY_DID_NOT_ATTEND = "family_did_not_attend"
    REFERRED_ONWARD = "referred_onward"


class LegalBasis(StrEnum):
    """A statutory basis that allows a referral without consent; recorded with the referral."""

    # Lastensuojelulaki 417/2007 25 §: a concern professionals must report. The notification itself is not a
    # referral; a referral to the county's child welfare may rest on the same duty.
    CHILD_WELFARE_ACT_25 = "child_welfare_act_25"
    # Lastensuojelulaki 25 a §: a request, made together with the child or guardian, to assess the need for
    # social services instead of a notification.
    CHILD_WELFARE_ACT_25A_JOINT_REQUEST = "child_welfare_act_25a_joint_request"
    # Sosiaalihuoltolaki 1301/2014 35 §: contacting the municipality's social services about a person in
    # apparent need of social welfare, when consent cannot be obtained and the person's interest requires it.
    SOCIAL_WELFARE_ACT_35 = "social_welfare_act_35"


CITATIONS: Mapping[LegalBasis, str] = MappingProxyType(
    {
        LegalBasis.CHILD_WELFARE_ACT_25: "Lastensuojelulaki 417/2007 25 §",
        LegalBasis.CHILD_WELFARE_ACT_25A_JOINT_REQUEST: "Lastensuojelulaki 417/2007 25 a §",
        LegalBasis.SOCIAL_WELFARE_ACT_35: "Sosiaalihuoltolaki 1301/2014 35 §",
    }
)

LEGAL_BASIS_RECIPIENTS: Mapping[LegalBasis, frozenset[OrganisationKind]] = MappingProxyType(
    {
        LegalBasis.CHILD_WELFARE_ACT_25: frozenset({OrganisationKind.COUNTY_CHILD_WELFARE}),
        LegalBasis.CHILD_WELFARE_ACT_25A_JOINT_REQUEST: frozenset(
            {OrganisationKind.COUNTY_CHILD_WELFARE, OrganisationKind.COUNTY_SOCIAL_SERVICES}
        ),
        LegalBasis.SOCIAL_WELFARE_ACT_35: frozenset({OrganisationKind.COUNTY_SOCIAL_SERVICES}),
    }
)
"""To which kinds of organisation each basis allows a referral without consent (to nobody else)."""


class PacketField(StrEnum):
    """What a referral packet may carry. Nomination reasons, assessments (e.g. SDQ) and case notes are not
    fields at all: they cannot be put in a packet."""

    CHILD_NAME = "child_name"
    BIRTH_DATE = "birth_date"
    IDENTITY_CODE = "identity_code"
    GUARDIAN_CONTACTS = "guardian_contacts"
    MENTOR_CONTACT = "mentor_contact"
    REQUESTED_SERVICE = "requested_service"
    URGENCY = "urgency"
    SUMMARY = "summary"


BASE_PACKET: frozenset[PacketField] = frozenset(PacketField) - {PacketField.IDENTITY_CODE}
# Always sent: what the referral is about (no personal data of its own beyond the summary).
REQUIRED_PACKET: frozenset[PacketField] = frozenset(
    {PacketField.REQUESTED_SERVICE, PacketField.URGENCY, PacketField.SUMMARY}
)


def packet_whitelist(kind: OrganisationKind) -> frozenset[PacketField]:
    """The fields a packet to this kind of organisation may carry: the identity code only to an authority
    that keeps a client or patient record under it."""
    if kind in IDENTITY_CODE_RECIPIENTS:
        return frozenset(PacketField)
    return BASE_PACKET
