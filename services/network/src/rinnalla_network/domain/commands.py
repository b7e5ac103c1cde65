"""Commands: what a user asks the network domain to do. `at` is the server's clock (timezone-aware)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rinnalla_network.domain.values import (
    MAX_MUNICIPALITIES,
    Channel,
    Code,
    DeclineReason,
    Id,
    LegalBasis,
    LongText,
    OrganisationKind,
    Outcome,
    PacketField,
    ReasonCode,
    ServiceType,
    Text,
    Urgency,
)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- Partner directory -----------------------------------------------------------------------------


class RegisterPartner(Command):
    """Register an organisation that receives referrals. An offline channel names its address: the phone
    number (phone) or the secure form's https address (secure_form). There is no e-mail channel."""

    organisation_id: Id
    name: Text
    kind: OrganisationKind
    business_id: Code = Field(description="Y-tunnus, e.g. 0201256-6 (checked)")
    service_types: tuple[ServiceType, ...] = Field(min_length=1, max_length=len(ServiceType))
    municipality_codes: tuple[Code, ...] = Field(
        min_length=1, max_length=MAX_MUNICIPALITIES, description="kuntanumerot of the area served"
    )
    channel: Channel
    channel_address: str = Field(default="", max_length=300)
    at: AwareDatetime


class ChangePartnerServices(Command):
    organisation_id: Id
    service_types: tuple[ServiceType, ...] = Field(min_length=1, max_length=len(ServiceType))
    municipality_codes: tuple[Code, ...] = Field(min_length=1, max_length=MAX_MUNICIPALITIES)
    at: AwareDatetime


class ChangePartnerChannel(Command):
    organisation_id: Id
    channel: Channel
    channel_address: str = Field(default="", max_length=300)
    at: AwareDatetime


class PauseInbound(Command):
    organisation_id: Id
    reason: Text
    at: AwareDatetime


class ResumeInbound(Command):
    organisation_id: Id
    at: AwareDatetime


PartnerCommand = RegisterPartner | ChangePartnerServices | ChangePartnerChannel | PauseInbound | ResumeInbound


# --- Referrals -------------------------------------------------------------------------------------


class SendReferral(Command):
    """Refer a child (and the family) to an organisation's service. The packet carries the fields named in
    `packet_fields` (the requested service, urgency and summary always), each allowed for the recipient."""

    referral_id: Id
    child_id: Id
    organisation_id: Id
    service_type: ServiceType
    reason_codes: tuple[ReasonCode, ...] = Field(min_length=1, max_length=len(ReasonCode))
    urgency: Urgency = Urgency.ROUTINE
    summary: LongText = Field(description="written for this referral: what the recipient needs to know")
    packet_fields: tuple[PacketField, ...] = Field(default=(), max_length=len(PacketField))
    legal_basis: LegalBasis | None = Field(
        default=None, description="a statutory basis instead of consent, recorded with the referral"
    )
    contact_phone: str = Field(default="", max_length=40, description="the sender's work phone for the recipient")
    sender_id: Id
    sender_name: str = ""
    rerouted_from: Id | None = None
    at: AwareDatetime


class ReceiveReferral(Command):
    referral_id: Id
    by: Id
    at: AwareDatetime


class AcceptReferral(Command):
    referral_id: Id
    by: Id
    at: AwareDatetime


class DeclineReferral(Command):
    referral_id: Id
    reason: DeclineReason | None = Field(default=None, description="required")
    by: Id
    at: AwareDatetime


class StartReferral(Command):
    referral_id: Id
    by: Id
    at: AwareDatetime


class CompleteReferral(Command):
    referral_id: Id
    outcome: Outcome | None = Field(default=None, description="required")
    by: Id
    # the sender closes a referral to an organisation that never logs in, with the outcome they learned
    by_sender: bool = False
    at: AwareDatetime


class WithdrawReferral(Command):
    referral_id: Id
    reason: Text
    by: Id
    at: AwareDatetime


class RecordReroute(Command):
    referral_id: Id
    to_referral_id: Id
    to_organisation_id: Id
    by: Id
    at: AwareDatetime


class ExpireReferral(Command):
    referral_id: Id
    at: AwareDatetime


class StopSharing(Command):
    referral_id: Id
    reason: Text
    at: AwareDatetime
