"""Events of the network service: the partner directory and referrals. Past tense, stable dotted names.

A referral packet's personal fields are encrypted with the key of the person they are about: the child's
with the child's (`child_id`), each guardian's contact with the guardian's (`guardian_id`). Erasing a person
leaves "[erased]" in every packet that named them. Dates inside personal fields are ISO strings.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict
from rinnalla_events import DomainEvent, Personal, SubjectKinds

from rinnalla_network.domain.family_partnership import FAMILY_PARTNERSHIP_EVENTS
from rinnalla_network.domain.values import (
    Channel,
    DeclineReason,
    LegalBasis,
    OrganisationKind,
    Outcome,
    PacketField,
    ReasonCode,
    ServiceType,
    Urgency,
)

ChildPersonal = Personal(subject_field="child_id")
GuardianPersonal = Personal(subject_field="guardian_id")
RecordPersonal = Personal(subject_field="record_id")
RECORD_KIND = SubjectKinds.NETWORK_RECORD


def partner_record(organisation_id: str) -> str:
    """The key subject of a partner organisation's free text."""
    return f"{RECORD_KIND}-partner-{organisation_id}"


# --- Partner directory -----------------------------------------------------------------------------


class PartnerRegistered(DomainEvent):
    """An organisation that can receive referrals, with the area it serves and how it receives them."""

    event_type: ClassVar[str] = "network.PartnerRegistered"
    organisation_id: str
    name: str
    kind: OrganisationKind
    business_id: str
    service_types: tuple[ServiceType, ...]
    municipality_codes: tuple[str, ...]
    county_codes: tuple[str, ...]
    channel: Channel
    # an offline channel's public address: the phone number or the secure form's https address
    channel_address: str
    at: AwareDatetime


class PartnerServicesChanged(DomainEvent):
    event_type: ClassVar[str] = "network.PartnerServicesChanged"
    organisation_id: str
    service_types: tuple[ServiceType, ...]
    municipality_codes: tuple[str, ...]
    county_codes: tuple[str, ...]
    at: AwareDatetime


class PartnerChannelChanged(DomainEvent):
    event_type: ClassVar[str] = "network.PartnerChannelChanged"
    organisation_id: str
    channel: Channel
    channel_address: str
    at: AwareDatetime


class PartnerInboundPaused(DomainEvent):
    """The organisation takes no new referrals for now (e.g. no capacity); open ones continue. v2: the
    free-text reason is encrypted with the partner's record key (`record_id`); v1 payloads (plaintext
    reason) read unchanged."""

    event_type: ClassVar[str] = "network.PartnerInboundPaused"
    schema_version: ClassVar[int] = 2
    organisation_id: str
    record_id: str
    reason: Annotated[str, RecordPersonal]
    at: AwareDatetime


class PartnerInboundResumed(DomainEvent):
    event_type: ClassVar[str] = "network.PartnerInboundResumed"
    organisation_id: str
    at: AwareDatetime


PARTNER_EVENTS: tuple[type[DomainEvent], ...] = (
    PartnerRegistered,
    PartnerServicesChanged,
    PartnerChannelChanged,
    PartnerInboundPaused,
    PartnerInboundResumed,
)


# --- Referrals -------------------------------------------------------------------------------------


class GuardianContact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    guardian_id: str
    name: Annotated[str, GuardianPersonal]
    phone: Annotated[str, GuardianPersonal]
    email: Annotated[str, GuardianPersonal]


class ContactPerson(BaseModel):
    """The sender's contact for the recipient (staff: work contact details, not encrypted)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    name: str
    phone: str


class ReferralPacket(BaseModel):
    """What left the controller. A field that was not sent is empty; `ReferralSent.fields_sent` names those
    that were."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    child_id: str
    child_name: Annotated[str, ChildPersonal] = ""
    birth_date: Annotated[str, ChildPersonal] = ""
    identity_code: Annotated[str, ChildPersonal] = ""
    guardian_contacts: tuple[GuardianContact, ...] = ()
    mentor_contact: ContactPerson | None = None
    requested_service: ServiceType
    urgency: Urgency
    summary: Annotated[str, ChildPersonal]


class ReferralSent(DomainEvent):
    """A referral left for an organisation, with the consent(s) or the legal basis it rests on, the fields
    sent and the deadlines of the recipient's service level."""

    event_type: ClassVar[str] = "network.ReferralSent"
    referral_id: str
    child_id: str
    team_id: str
    municipality_code: str
    county_code: str
    sender_id: str
    organisation_id: str
    organisation_kind: OrganisationKind
    channel: Channel
    service_type: ServiceType
    reason_codes: tuple[ReasonCode, ...]
    urgency: Urgency
    consent_ids: tuple[str, ...]
    legal_basis: LegalBasis | None
    basis: str  # the consent ids, or the law cited: what the disclosure log names
    fields_sent: tuple[PacketField, ...]
    packet: ReferralPacket
    acknowledge_by: date
    decide_by: date
    outcome_by: date
    # the referral this one re-routes (declined or re-routed by the first recipient)
    rerouted_from: str | None = None
    at: AwareDatetime


class ReferralReceived(DomainEvent):
    event_type: ClassVar[str] = "network.ReferralReceived"
    referral_id: str
    organisation_id: str
    received_by: str
    at: AwareDatetime


class ReferralAccepted(DomainEvent):
    event_type: ClassVar[str] = "network.ReferralAccepted"
    referral_id: str
    organisation_id: str
    accepted_by: str
    at: AwareDatetime


class ReferralDeclined(DomainEvent):
    event_type: ClassVar[str] = "network.ReferralDeclined"
    referral_id: str
    organisation_id: str
    reason: DeclineReason
    declined_by: str
    at: AwareDatetime


class ReferralStarted(DomainEvent):
    """The service has started (in progress)."""

    event_type: ClassVar[str] = "network.ReferralStarted"
    referral_id: str
    organisation_id: str
    started_by: str
    at: AwareDatetime


class ReferralOutcomeRecorded(DomainEvent):
    """The referral is completed with its outcome: by the recipient, or (an organisation that never logs in)
    by the sender with the outcome they learned (`recorded_by_sender`)."""

    event_type: ClassVar[str] = "network.ReferralOutcomeRecorded"
    referral_id: str
    organisation_id: str
    outcome: Outcome
    recorded_by: str
    recorded_by_sender: bool
    at: AwareDatetime


class ReferralWithdrawn(DomainEvent):
    """v2: names the referral's child and encrypts the free-text reason with the child's key; a v1 payload
    (plaintext reason) reads unchanged, with an empty `child_id` (ReferralSent names the child)."""

    event_type: ClassVar[str] = "network.ReferralWithdrawn"
    schema_version: ClassVar[int] = 2
    referral_id: str
    organisation_id: str
    withdrawn_by: str
    child_id: str
    reason: Annotated[str, ChildPersonal]
    at: AwareDatetime


class ReferralRerouted(DomainEvent):
    """The referral goes on as a new referral to another organisation (`to_referral_id`, linked both ways)."""

    event_type: ClassVar[str] = "network.ReferralRerouted"
    referral_id: str
    organisation_id: str
    to_referral_id: str
    to_organisation_id: str
    rerouted_by: str
    at: AwareDatetime


class ReferralExpired(DomainEvent):
    """Its outcome was never recorded and the deadline is long past: it closes without one."""

    event_type: ClassVar[str] = "network.ReferralExpired"
    referral_id: str
    organisation_id: str
    at: AwareDatetime


class ReferralReminderDue(DomainEvent):
    """A deadline passed (`stage`: acknowledge, decide or outcome): the recipient is reminded."""

    event_type: ClassVar[str] = "network.ReferralReminderDue"
    referral_id: str
    organisation_id: str
    stage: str
    due_on: date
    at: AwareDatetime


class ReferralEscalated(DomainEvent):
    """A deadline passed by the service level's margin: the sender's coordinator is told."""

    event_type: ClassVar[str] = "network.ReferralEscalated"
    referral_id: str
    organisation_id: str
    stage: str
    due_on: date
    at: AwareDatetime


class ReferralSharingStopped(DomainEvent):
    """The consent the referral rests on is no longer in force: nothing more is shared with the recipient,
    and the open referral shows it. v2: names the referral's child and encrypts the free-text reason with the
    child's key; a v1 payload (plaintext reason) reads unchanged, with an empty `child_id`."""

    event_type: ClassVar[str] = "network.ReferralSharingStopped"
    schema_version: ClassVar[int] = 2
    referral_id: str
    organisation_id: str
    child_id: str
    reason: Annotated[str, ChildPersonal]
    at: AwareDatetime


REFERRAL_EVENTS: tuple[type[DomainEvent], ...] = (
    ReferralSent,
    ReferralReceived,
    ReferralAccepted,
    ReferralDeclined,
    ReferralStarted,
    ReferralOutcomeRecorded,
    ReferralWithdrawn,
    ReferralRerouted,
    ReferralExpired,
    ReferralReminderDue,
    ReferralEscalated,
    ReferralSharingStopped,
)

ALL_EVENTS: tuple[type[DomainEvent], ...] = (*PARTNER_EVENTS, *REFERRAL_EVENTS, *FAMILY_PARTNERSHIP_EVENTS)
"""Every event class of the service, for the event registry and the published contract."""
