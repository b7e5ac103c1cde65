"""What a consent is for, who may receive a child's data, and the laws that allow disclosure without consent."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Purpose(StrEnum):
    """What a consent covers. Each purpose is consented to (or refused) separately."""

    PARTICIPATION = "participation"
    SHARING_WITH_SCHOOL = "sharing_with_school"
    SHARING_WITH_SOCIAL_SERVICES = "sharing_with_social_services"
    SHARING_WITH_HEALTH_SERVICES = "sharing_with_health_services"
    SHARING_WITH_PARTNER_ORGANISATIONS = "sharing_with_partner_organisations"
    THL_RESEARCH = "thl_research"
    SIB_EVALUATION = "sib_evaluation"
    PHOTOS = "photos"


class RecipientKind(StrEnum):
    """Who would receive the data."""

    SCHOOL = "school"
    # Varhaiskasvatus and esiopetus (early childhood education and care, pre-primary education).
    EARLY_CHILDHOOD_EDUCATION = "early_childhood_education"
    # The wellbeing services county's (or Helsinki's) social services other than child welfare.
    SOCIAL_SERVICES = "social_services"
    # The county's child welfare (lastensuojelu), including its social emergency service.
    CHILD_WELFARE_AUTHORITY = "child_welfare_authority"
    HEALTH_SERVICES = "health_services"
    THL_RESEARCH = "thl_research"
    # The outcome evaluator of a social impact bond (pseudonymised data only, under its consent).
    SIB_EVALUATOR = "sib_evaluator"
    # A partner NGO or service the child or family is referred to.
    PARTNER_ORGANISATION = "partner_organisation"
    # Publication: website, social media, printed material (photos).
    PUBLIC = "public"
    POLICE = "police"
    # Investors get aggregates only, never a person's data, whatever anyone consented to.
    SIB_INVESTOR = "sib_investor"


class LegalBasis(StrEnum):
    """A statutory duty or right to disclose that needs no consent and overrides a prohibition."""

    # Lastensuojelulaki 417/2007 25 §: notify child welfare "without delay, notwithstanding confidentiality".
    CHILD_WELFARE_NOTIFICATION = "child_welfare_notification"
    # Lastensuojelulaki 417/2007 25 § 3 mom.: notify the police of suspected offences against the child
    # named there (e.g. sexual offences, Criminal Code chapter 20).
    POLICE_NOTIFICATION_OF_SUSPECTED_OFFENCE = "police_notification_of_suspected_offence"


CITATIONS: Mapping[LegalBasis, str] = MappingProxyType(
    {
        LegalBasis.CHILD_WELFARE_NOTIFICATION: "Lastensuojelulaki 417/2007 25 §",
        LegalBasis.POLICE_NOTIFICATION_OF_SUSPECTED_OFFENCE: "Lastensuojelulaki 417/2007 25 § 3 mom.",
    }
)

RECIPIENT_PURPOSES: Mapping[RecipientKind, frozenset[Purpose]] = MappingProxyType(
    {
        RecipientKind.SCHOOL: frozenset({Purpose.SHARING_WITH_SCHOOL}),
        RecipientKind.EARLY_CHILDHOOD_EDUCATION: frozenset({Purpose.SHARING_WITH_SCHOOL}),
        RecipientKind.SOCIAL_SERVICES: frozenset({Purpose.SHARING_WITH_SOCIAL_SERVICES}),
        RecipientKind.CHILD_WELFARE_AUTHORITY: frozenset({Purpose.SHARING_WITH_SOCIAL_SERVICES}),
        RecipientKind.HEALTH_SERVICES: frozenset({Purpose.SHARING_WITH_HEALTH_SERVICES}),
        RecipientKind.THL_RESEARCH: frozenset({Purpose.THL_RESEARCH}),
        RecipientKind.SIB_EVALUATOR: frozenset({Purpose.SIB_EVALUATION}),
        RecipientKind.PARTNER_ORGANISATION: frozenset({Purpose.SHARING_WITH_PARTNER_ORGANISATIONS}),
        RecipientKind.PUBLIC: frozenset({Purpose.PHOTOS}),
        RecipientKind.POLICE: frozenset(),
        RecipientKind.SIB_INVESTOR: frozenset(),
    }
)
"""Which consent purposes can cover a disclosure to each kind of recipient."""

LEGAL_BASIS_RECIPIENTS: Mapping[LegalBasis, frozenset[RecipientKind]] = MappingProxyType(
    {
        LegalBasis.CHILD_WELFARE_NOTIFICATION: frozenset({RecipientKind.CHILD_WELFARE_AUTHORITY}),
        LegalBasis.POLICE_NOTIFICATION_OF_SUSPECTED_OFFENCE: frozenset({RecipientKind.POLICE}),
    }
)
"""To whom each legal basis allows disclosure (and to nobody else)."""


def purpose_for(recipient: RecipientKind) -> Purpose | None:
    """The consent purpose that covers disclosure to this recipient, or None if no consent can."""
    purposes = RECIPIENT_PURPOSES[recipient]
    return next(iter(purposes)) if len(purposes) == 1 else None
