"""Referral aggregate: a closed loop from sending to an outcome.

    sent -> received -> accepted -> in progress -> completed (outcome required)
      \\          \\-> declined (reason required) -> re-routed (a new referral, linked)
       \\-> withdrawn (by the sender), re-routed, expired (no outcome long after its deadline)

A referral is sent only if the consent rules say yes for the recipient at that moment, or a legal basis
is recorded; its packet carries only the fields the recipient kind may receive. Every stage has a deadline
from the recipient's service level; the scheduled check reminds when one arrives and escalates when the
decision (or the outcome, by a margin) is late.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import assert_never

import rinnalla_consent as consent
from rinnalla_events import DomainEvent
from rinnalla_refdata import county_of

from rinnalla_network.domain import commands as c
from rinnalla_network.domain import events as e
from rinnalla_network.domain.calendar import add_months, add_working_days
from rinnalla_network.domain.errors import (
    AlreadyExists,
    ConsentRefusesSharing,
    InvalidTransition,
    InvalidValue,
    NotAReferral,
    NotFound,
    RuleViolated,
)
from rinnalla_network.domain.partner import PartnerState, require_open_to
from rinnalla_network.domain.service_levels import ServiceLevels
from rinnalla_network.domain.values import (
    CITATIONS,
    LEGAL_BASIS_RECIPIENTS,
    OFFLINE_CHANNELS,
    OPEN_STATUSES,
    RECIPIENT_KIND,
    REQUIRED_PACKET,
    Channel,
    LegalBasis,
    OrganisationKind,
    PacketField,
    ReferralStatus,
    ServiceType,
    packet_whitelist,
)

STREAM_TYPE = "referral"
# After the outcome's deadline: escalate this many working days later, expire this many months later.
ESCALATE_OUTCOME_AFTER_WORKING_DAYS = 10
EXPIRE_AFTER_MONTHS = 3

NOTIFICATION_CHANNEL = (
    "a child-welfare notification (Child Welfare Act 25 §) is not a referral: make it without delay through "
    "the wellbeing services county's child welfare notification channel (its phone line or secure form, "
    "never e-mail), or the emergency number 112 when the child is in immediate danger; the case log records "
    "that a notification was made"
)


@dataclass(frozen=True)
class GuardianRecord:
    guardian_id: str
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class ChildRecord:
    """What network knows of an enrolled child, from its own projection of enrollment's events."""

    child_id: str
    team_id: str
    municipality_code: str
    given_names: str
    family_name: str
    date_of_birth: str
    hetu: str
    guardians: tuple[GuardianRecord, ...]
    exited: bool = False


@dataclass(frozen=True)
class ReferralState:
    referral_id: str = ""
    exists: bool = False
    status: ReferralStatus | None = None
    child_id: str = ""
    team_id: str = ""
    municipality_code: str = ""
    sender_id: str = ""
    organisation_id: str = ""
    organisation_kind: OrganisationKind | None = None
    channel: Channel = Channel.API
    service_type: ServiceType | None = None
    consent_ids: tuple[str, ...] = ()
    legal_basis: LegalBasis | None = None
    sent_on: date | None = None
    acknowledge_by: date | None = None
    decide_by: date | None = None
    outcome_by: date | None = None
    reminded: frozenset[str] = frozenset()
    escalated: frozenset[str] = frozenset()
    sharing_stopped: bool = False
    rerouted_to: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def initial() -> ReferralState:
    return ReferralState()


def evolve(state: ReferralState, event: DomainEvent) -> ReferralState:
    match event:
        case e.ReferralSent():
            return ReferralState(
                referral_id=event.referral_id, exists=True, status=ReferralStatus.SENT, child_id=event.child_id,
                team_id=event.team_id, municipality_code=event.municipality_code, sender_id=event.sender_id,
                organisation_id=event.organisation_id, organisation_kind=event.organisation_kind,
                channel=event.channel, service_type=event.service_type, consent_ids=event.consent_ids,
                legal_basis=event.legal_basis, sent_on=consent.finnish_day(event.at),
                acknowledge_by=event.acknowledge_by, decide_by=event.decide_by, outcome_by=event.outcome_by,
            )
        case e.ReferralReceived():
            return replace(state, status=ReferralStatus.RECEIVED)
        case e.ReferralAccepted():
            return replace(state, status=ReferralStatus.ACCEPTED)
        case e.ReferralDeclined():
            return replace(state, status=ReferralStatus.DECLINED)
        case e.ReferralStarted():
            return replace(state, status=ReferralStatus.IN_PROGRESS)
        case e.ReferralOutcomeRecorded():
            return replace(state, status=ReferralStatus.COMPLETED)
        case e.ReferralWithdrawn():
            return replace(state, status=ReferralStatus.WITHDRAWN)
        case e.ReferralRerouted():
            return replace(state, status=ReferralStatus.REROUTED, rerouted_to=event.to_referral_id)
        case e.ReferralExpired():
            return replace(state, status=ReferralStatus.EXPIRED)
        case e.ReferralReminderDue():
            return replace(state, reminded=state.reminded | {event.stage})
        case e.ReferralEscalated():
            return replace(state, escalated=state.escalated | {event.stage})
        case e.ReferralSharingStopped():
            return replace(state, sharing_stopped=True)
        case _:
            return state


# --- sending -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharingBasis:
    consent_ids: tuple[str, ...]
    legal_basis: LegalBasis | None
    basis: str
    reason: str


def sharing_basis(
    view: consent.ConsentView,
    child_id: str,
    kind: OrganisationKind,
    legal_basis: LegalBasis | None,
    at: datetime,
) -> SharingBasis:
    """Whether the child's data may go to this kind of organisation now, and on what basis.

    With a legal basis: the basis must name this kind of recipient. The notification duty (Child Welfare Act
    25 §) holds whatever anyone consented to or prohibited. A joint request (25 a §) is made with the family
    and a contact under Social Welfare Act 35 § serves the person's own interest: neither is made against a
    minor's prohibition in force. Without one: the consent rules decide, for the purpose that covers the
    recipient."""
    recipient = RECIPIENT_KIND[kind]
    if legal_basis is not None:
        if kind not in LEGAL_BASIS_RECIPIENTS[legal_basis]:
            raise ConsentRefusesSharing(
                "legal_basis", f"{CITATIONS[legal_basis]} does not allow a referral to {_words(kind.value)}"
            )
        if legal_basis is LegalBasis.CHILD_WELFARE_ACT_25:
            decision = consent.may_disclose(
                view, child_id, recipient, consent.LegalBasis.CHILD_WELFARE_NOTIFICATION, at
            )
            if not decision.allowed:  # the consent library names the same recipient: kept in step
                raise ConsentRefusesSharing("legal_basis", decision.reason)
        else:
            record = view.subject(child_id)
            purpose = consent.purpose_for(recipient)
            if record is not None and purpose is not None and record.prohibition_at(purpose, at) is not None:
                raise ConsentRefusesSharing(
                    "legal_basis",
                    f"the child has prohibited disclosure for {_words(purpose.value)}: "
                    f"{CITATIONS[legal_basis]} does not override it",
                )
        return SharingBasis((), legal_basis, CITATIONS[legal_basis], f"legal basis: {CITATIONS[legal_basis]}")
    purpose = consent.purpose_for(recipient)
    if purpose is None:
        raise ConsentRefusesSharing(
            "organisation_id", f"no consent can cover a referral to {_words(kind.value)}: record a legal basis"
        )
    decision = consent.may_disclose(view, child_id, recipient, purpose, at)
    if not decision.allowed:
        raise ConsentRefusesSharing("consent", f"{decision.reason}; no legal basis was recorded")
    return SharingBasis(decision.consent_ids, None, decision.basis or "", decision.reason)


def sharing_stopped_because(
    view: consent.ConsentView, child_id: str, kind: OrganisationKind, legal_basis: LegalBasis | None, at: datetime
) -> str | None:
    """Why a referral sent on consent may no longer share the child's data at `at` (its consent withdrawn,
    expired, refused, or a minor's prohibition), or None while it may. A referral on a legal basis keeps it."""
    if legal_basis is not None:
        return None
    recipient = RECIPIENT_KIND[kind]
    purpose = consent.purpose_for(recipient)
    if purpose is None:
        return "no consent covers this recipient"
    decision = consent.may_disclose(view, child_id, recipient, purpose, at)
    return None if decision.allowed else decision.reason


def packet_fields(kind: OrganisationKind, asked: tuple[PacketField, ...]) -> tuple[PacketField, ...]:
    """The fields to send: those asked for plus the referral's own (service, urgency, summary), each one
    allowed for this kind of recipient, in a stable order."""
    allowed = packet_whitelist(kind)
    for index, field in enumerate(asked):
        if field not in allowed:
            why = (
                "the identity code goes only to an authority that keeps a client or patient record under it"
                if field is PacketField.IDENTITY_CODE
                else f"not sent to {_words(kind.value)}"
            )
            raise InvalidValue(f"packet_fields[{index}]", why)
    chosen = set(asked) | REQUIRED_PACKET
    return tuple(field for field in PacketField if field in chosen)


def build_packet(
    child: ChildRecord, fields: tuple[PacketField, ...], command: c.SendReferral
) -> e.ReferralPacket:
    sent = set(fields)
    return e.ReferralPacket(
        child_id=child.child_id,
        child_name=f"{child.given_names} {child.family_name}" if PacketField.CHILD_NAME in sent else "",
        birth_date=child.date_of_birth if PacketField.BIRTH_DATE in sent else "",
        identity_code=child.hetu if PacketField.IDENTITY_CODE in sent else "",
        guardian_contacts=tuple(
            e.GuardianContact(guardian_id=g.guardian_id, name=g.name, phone=g.phone, email=g.email)
            for g in child.guardians
        ) if PacketField.GUARDIAN_CONTACTS in sent else (),
        mentor_contact=e.ContactPerson(
            person_id=command.sender_id, name=command.sender_name, phone=command.contact_phone
        ) if PacketField.MENTOR_CONTACT in sent else None,
        requested_service=command.service_type,
        urgency=command.urgency,
        summary=command.summary,
    )


def send(
    state: ReferralState,
    partner: PartnerState,
    child: ChildRecord | None,
    view: consent.ConsentView,
    levels: ServiceLevels,
    command: c.SendReferral,
) -> list[DomainEvent]:
    if command.service_type is ServiceType.CHILD_WELFARE_NOTIFICATION:
        raise NotAReferral("service_type", NOTIFICATION_CHANNEL)
    if child is None:
        raise NotFound("child_id", f"child {command.child_id} is not enrolled (or not yet known to the network)")
    if state.exists:
        if state.child_id == command.child_id and state.organisation_id == command.organisation_id:
            return []
        raise AlreadyExists("referral_id", f"referral {command.referral_id} already exists")
    if child.exited:
        raise InvalidTransition("child_id", f"child {child.child_id} has left the programme")
    kind = require_open_to(partner, command.service_type, child.municipality_code)
    fields = packet_fields(kind, command.packet_fields)
    basis = sharing_basis(view, child.child_id, kind, command.legal_basis, command.at)
    deadlines = levels.deadlines(kind, command.urgency, consent.finnish_day(command.at))
    return [
        e.ReferralSent(
            referral_id=command.referral_id, child_id=child.child_id, team_id=child.team_id,
            municipality_code=child.municipality_code, county_code=_county(partner, child.municipality_code),
            sender_id=command.sender_id, organisation_id=command.organisation_id, organisation_kind=kind,
            channel=partner.channel, service_type=command.service_type, reason_codes=command.reason_codes,
            urgency=command.urgency, consent_ids=basis.consent_ids, legal_basis=basis.legal_basis,
            basis=basis.basis, fields_sent=fields, packet=build_packet(child, fields, command),
            acknowledge_by=deadlines.acknowledge_by, decide_by=deadlines.decide_by,
            outcome_by=deadlines.outcome_by, rerouted_from=command.rerouted_from, at=command.at,
        )
    ]


def _county(partner: PartnerState, municipality_code: str) -> str:
    return county_of(municipality_code).code if municipality_code else (partner.county_codes or ("",))[0]


# --- the lifecycle ---------------------------------------------------------------------------------------

LifecycleCommand = (
    c.ReceiveReferral | c.AcceptReferral | c.DeclineReferral | c.StartReferral | c.CompleteReferral
    | c.WithdrawReferral | c.RecordReroute | c.ExpireReferral | c.StopSharing
)


def decide(state: ReferralState, command: LifecycleCommand) -> list[DomainEvent]:
    if not state.exists:
        raise NotFound("referral_id", f"referral {command.referral_id} does not exist")
    org = state.organisation_id
    status = state.status
    match command:
        case c.ReceiveReferral():
            if status is not ReferralStatus.SENT:
                return []  # already received (or on): acknowledging again changes nothing
            return [e.ReferralReceived(referral_id=command.referral_id, organisation_id=org, received_by=command.by,
                                       at=command.at)]
        case c.AcceptReferral():
            if status is ReferralStatus.ACCEPTED:
                return []
            _in(state, "accept", ReferralStatus.SENT, ReferralStatus.RECEIVED)
            return [*_implicit_receipt(state, command.by, command.at),
                    e.ReferralAccepted(referral_id=command.referral_id, organisation_id=org,
                                       accepted_by=command.by, at=command.at)]
        case c.DeclineReferral():
            if command.reason is None:
                raise RuleViolated("reason", "a decline needs its reason: not_eligible, no_capacity, wrong_service "
                                   "or family_declined")
            if status is ReferralStatus.DECLINED:
                return []
            _in(state, "decline", ReferralStatus.SENT, ReferralStatus.RECEIVED)
            return [*_implicit_receipt(state, command.by, command.at),
                    e.ReferralDeclined(referral_id=command.referral_id, organisation_id=org, reason=command.reason,
                                       declined_by=command.by, at=command.at)]
        case c.StartReferral():
            if status is ReferralStatus.IN_PROGRESS:
                return []
            _in(state, "start", ReferralStatus.ACCEPTED)
            return [e.ReferralStarted(referral_id=command.referral_id, organisation_id=org, started_by=command.by,
                                      at=command.at)]
        case c.CompleteReferral():
            if command.outcome is None:
                raise RuleViolated("outcome", "a completed referral needs its outcome")
            if status is ReferralStatus.COMPLETED:
                return []
            if command.by_sender:
                if state.channel not in OFFLINE_CHANNELS:
                    raise RuleViolated("by_sender", "the organisation acts on its referrals through the API: "
                                       "it records the outcome itself")
                _in(state, "complete", *OPEN_STATUSES)
            else:
                _in(state, "complete", ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
            return [e.ReferralOutcomeRecorded(referral_id=command.referral_id, organisation_id=org,
                                              outcome=command.outcome, recorded_by=command.by,
                                              recorded_by_sender=command.by_sender, at=command.at)]
        case c.WithdrawReferral():
            if status is ReferralStatus.WITHDRAWN:
                return []
            _in(state, "withdraw", *OPEN_STATUSES)
            return [e.ReferralWithdrawn(referral_id=command.referral_id, organisation_id=org,
                                        withdrawn_by=command.by, child_id=state.child_id, reason=command.reason,
                                        at=command.at)]
        case c.RecordReroute():
            if status is ReferralStatus.REROUTED and state.rerouted_to == command.to_referral_id:
                return []
            _in(state, "re-route", *OPEN_STATUSES, ReferralStatus.DECLINED)
            if command.to_organisation_id == org:
                raise InvalidValue("to_organisation_id", "re-route to another organisation")
            return [e.ReferralRerouted(referral_id=command.referral_id, organisation_id=org,
                                       to_referral_id=command.to_referral_id,
                                       to_organisation_id=command.to_organisation_id, rerouted_by=command.by,
                                       at=command.at)]
        case c.ExpireReferral():
            if not state.is_open:
                return []
            return [e.ReferralExpired(referral_id=command.referral_id, organisation_id=org, at=command.at)]
        case c.StopSharing():
            if not state.is_open or state.sharing_stopped or state.legal_basis is not None:
                return []
            return [e.ReferralSharingStopped(referral_id=command.referral_id, organisation_id=org,
                                             child_id=state.child_id, reason=command.reason, at=command.at)]
        case _:
            assert_never(command)


def _implicit_receipt(state: ReferralState, by: str, at: datetime) -> list[DomainEvent]:
    """A decision on a referral never acknowledged acknowledges it too."""
    if state.status is ReferralStatus.SENT:
        return [e.ReferralReceived(referral_id=state.referral_id, organisation_id=state.organisation_id,
                                   received_by=by, at=at)]
    return []


def _in(state: ReferralState, verb: str, *allowed: ReferralStatus) -> None:
    if state.status not in allowed:
        current = state.status.value.replace("_", " ") if state.status else "unknown"
        raise InvalidTransition("referral_id", f"a referral that is {current} cannot {verb}")


# --- the scheduled check -------------------------------------------------------------------------------


def check_deadlines(state: ReferralState, today: date, at: datetime) -> list[DomainEvent]:
    """What the scheduled check records for one referral on `today` (each reminder and escalation once):

    - acknowledgement: a reminder from its due day while the referral is unacknowledged;
    - decision: a reminder from its due day while undecided, an escalation the working day after;
    - outcome: a reminder from its due day, an escalation 10 working days later, and expiry 3 months after
      the outcome's deadline (closed without an outcome).
    """
    if not state.is_open or None in (state.acknowledge_by, state.decide_by, state.outcome_by):
        return []
    assert state.acknowledge_by and state.decide_by and state.outcome_by
    ref, org = state.referral_id, state.organisation_id
    events: list[DomainEvent] = []

    def remind(stage: str, due: date) -> None:
        if stage not in state.reminded:
            events.append(e.ReferralReminderDue(referral_id=ref, organisation_id=org, stage=stage, due_on=due, at=at))

    def escalate(stage: str, due: date) -> None:
        if stage not in state.escalated:
            events.append(e.ReferralEscalated(referral_id=ref, organisation_id=org, stage=stage, due_on=due, at=at))

    if today > add_months(state.outcome_by, EXPIRE_AFTER_MONTHS):
        return [e.ReferralExpired(referral_id=ref, organisation_id=org, at=at)]
    undecided = state.status in (ReferralStatus.SENT, ReferralStatus.RECEIVED)
    if state.status is ReferralStatus.SENT and today >= state.acknowledge_by:
        remind("acknowledge", state.acknowledge_by)
    if undecided and today >= state.decide_by:
        remind("decide", state.decide_by)
    if undecided and today > state.decide_by:
        escalate("decide", state.decide_by)
    if today >= state.outcome_by:
        remind("outcome", state.outcome_by)
    if today > add_working_days(state.outcome_by, ESCALATE_OUTCOME_AFTER_WORKING_DAYS):
        escalate("outcome", state.outcome_by)
    return events


def _words(text: str) -> str:
    return text.replace("_", " ")
