"""Partner aggregate: an organisation in the directory, the area and services it covers, how it receives
referrals (through the API, or offline by phone or secure form: never e-mail) and whether it takes new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import assert_never
from urllib.parse import urlsplit

from rinnalla_events import DomainEvent
from rinnalla_refdata import ReferenceDataError, county_of, municipality, validate_business_id

from rinnalla_network.domain import commands as c
from rinnalla_network.domain import events as e
from rinnalla_network.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound
from rinnalla_network.domain.values import Channel, OrganisationKind, ServiceType

STREAM_TYPE = "partner"


@dataclass(frozen=True)
class PartnerState:
    organisation_id: str = ""
    exists: bool = False
    name: str = ""
    kind: OrganisationKind | None = None
    service_types: tuple[ServiceType, ...] = ()
    municipality_codes: tuple[str, ...] = ()
    county_codes: tuple[str, ...] = ()
    channel: Channel = Channel.API
    channel_address: str = ""
    paused: bool = False

    def serves(self, municipality_code: str) -> bool:
        return municipality_code in self.municipality_codes

    @property
    def tenant(self) -> str:
        """The municipality the directory entry is filed under (the first it serves)."""
        return self.municipality_codes[0] if self.municipality_codes else ""


def initial() -> PartnerState:
    return PartnerState()


def evolve(state: PartnerState, event: DomainEvent) -> PartnerState:
    match event:
        case e.PartnerRegistered():
            return PartnerState(
                organisation_id=event.organisation_id, exists=True, name=event.name, kind=event.kind,
                service_types=event.service_types, municipality_codes=event.municipality_codes,
                county_codes=event.county_codes, channel=event.channel, channel_address=event.channel_address,
            )
        case e.PartnerServicesChanged():
            return replace(
                state, service_types=event.service_types, municipality_codes=event.municipality_codes,
                county_codes=event.county_codes,
            )
        case e.PartnerChannelChanged():
            return replace(state, channel=event.channel, channel_address=event.channel_address)
        case e.PartnerInboundPaused():
            return replace(state, paused=True)
        case e.PartnerInboundResumed():
            return replace(state, paused=False)
        case _:
            return state


def _area(codes: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The municipalities (each known to Statistics Finland, once) and the counties they belong to."""
    seen: list[str] = []
    counties: list[str] = []
    for index, code in enumerate(codes):
        try:
            municipality(code)
            county = county_of(code).code
        except ReferenceDataError as exc:
            raise InvalidValue(f"municipality_codes[{index}]", str(exc)) from None
        if code in seen:
            raise InvalidValue(f"municipality_codes[{index}]", f"municipality {code} is named twice")
        seen.append(code)
        if county not in counties:
            counties.append(county)
    return tuple(seen), tuple(counties)


def _address(channel: Channel, address: str) -> str:
    """An offline channel's address, checked; the API channel has none."""
    text = address.strip()
    if channel is Channel.API:
        if text:
            raise InvalidValue("channel_address", "an organisation that receives referrals through the API has no "
                               "address: leave it out")
        return ""
    if "@" in text:
        raise InvalidValue("channel_address", "referrals are never sent by e-mail: give a phone number or the "
                           "https address of a secure form")
    if channel is Channel.PHONE:
        digits = text.replace(" ", "").replace("-", "")
        if not (digits.startswith(("+", "0")) and digits.lstrip("+").isdigit() and 5 <= len(digits) <= 16):
            raise InvalidValue("channel_address", "a phone channel needs the phone number, e.g. +358 9 123 4567")
        return text
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc:
        raise InvalidValue("channel_address", "a secure form channel needs the form's https address")
    return text


def _services(services: tuple[ServiceType, ...]) -> tuple[ServiceType, ...]:
    for index, service in enumerate(services):
        if service is ServiceType.CHILD_WELFARE_NOTIFICATION:
            raise InvalidValue(
                f"service_types[{index}]",
                "a child-welfare notification is not a service: it goes to the county's own channel",
            )
    return tuple(dict.fromkeys(services))


def decide(state: PartnerState, command: c.PartnerCommand) -> list[DomainEvent]:
    match command:
        case c.RegisterPartner():
            return _register(state, command)
        case c.ChangePartnerServices():
            _exists(state)
            services = _services(command.service_types)
            codes, counties = _area(command.municipality_codes)
            if (services, codes) == (state.service_types, state.municipality_codes):
                return []
            return [e.PartnerServicesChanged(
                organisation_id=command.organisation_id, service_types=services, municipality_codes=codes,
                county_codes=counties, at=command.at,
            )]
        case c.ChangePartnerChannel():
            _exists(state)
            address = _address(command.channel, command.channel_address)
            if (command.channel, address) == (state.channel, state.channel_address):
                return []
            return [e.PartnerChannelChanged(
                organisation_id=command.organisation_id, channel=command.channel, channel_address=address,
                at=command.at,
            )]
        case c.PauseInbound():
            _exists(state)
            if state.paused:
                return []
            return [e.PartnerInboundPaused(organisation_id=command.organisation_id,
                                           record_id=e.partner_record(command.organisation_id),
                                           reason=command.reason, at=command.at)]
        case c.ResumeInbound():
            _exists(state)
            if not state.paused:
                return []
            return [e.PartnerInboundResumed(organisation_id=command.organisation_id, at=command.at)]
        case _:
            assert_never(command)


def _exists(state: PartnerState) -> None:
    if not state.exists:
        raise NotFound("organisation_id", f"organisation {state.organisation_id or ''} is not in the directory")


def _register(state: PartnerState, command: c.RegisterPartner) -> list[DomainEvent]:
    try:
        business_id = validate_business_id(command.business_id)
    except ReferenceDataError as exc:
        raise InvalidValue("business_id", str(exc)) from None
    services = _services(command.service_types)
    codes, counties = _area(command.municipality_codes)
    address = _address(command.channel, command.channel_address)
    event = e.PartnerRegistered(
        organisation_id=command.organisation_id, name=command.name, kind=command.kind, business_id=business_id,
        service_types=services, municipality_codes=codes, county_codes=counties, channel=command.channel,
        channel_address=address, at=command.at,
    )
    if state.exists:
        same = (state.name, state.kind, state.service_types, state.municipality_codes, state.channel,
                state.channel_address) == (event.name, event.kind, services, codes, event.channel, address)
        if same:
            return []
        raise AlreadyExists("organisation_id", f"organisation {command.organisation_id} is already registered; "
                            "change its services or channel instead")
    return [event]


def require_open_to(state: PartnerState, service: ServiceType, municipality_code: str) -> OrganisationKind:
    """The organisation's kind, if it takes a new referral for this service and municipality now."""
    if not state.exists or state.kind is None:
        raise NotFound("organisation_id", f"organisation {state.organisation_id} is not in the directory")
    if state.paused:
        raise InvalidTransition("organisation_id", f"{state.name} has paused inbound referrals")
    if service not in state.service_types:
        raise InvalidValue("service_type", f"{state.name} does not offer {service.value}")
    if not state.serves(municipality_code):
        raise InvalidValue("organisation_id", f"{state.name} does not serve municipality {municipality_code}")
    return state.kind
