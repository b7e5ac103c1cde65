"""Command handlers: load the streams a command needs, check the caller may touch them, decide, append.

Sending a referral first makes sure the network's projection of enrollment is current (never a stale
consent answer), then asks the consent rules at the moment of sending.
"""

from __future__ import annotations

from rinnalla_events import CommandWriter, Decider, Outcome, StreamEvents

from rinnalla_network.application.ports import ChildDirectory, Freshness, Guard
from rinnalla_network.domain import commands as c
from rinnalla_network.domain import family_partnership as family
from rinnalla_network.domain import partner as partner_aggregate
from rinnalla_network.domain import referral as referral_aggregate
from rinnalla_network.domain.errors import NotFound
from rinnalla_network.domain.partner import PartnerState
from rinnalla_network.domain.referral import ReferralState
from rinnalla_network.domain.service_levels import ServiceLevels

PARTNER: Decider[PartnerState, c.PartnerCommand] = Decider(
    partner_aggregate.STREAM_TYPE, partner_aggregate.initial, partner_aggregate.evolve, partner_aggregate.decide
)
REFERRAL: Decider[ReferralState, referral_aggregate.LifecycleCommand] = Decider(
    referral_aggregate.STREAM_TYPE, referral_aggregate.initial, referral_aggregate.evolve,
    referral_aggregate.decide,
)


FAMILY: Decider[family.FamilyPartnershipState, family.FamilyCommand] = Decider(
    family.STREAM_TYPE, family.initial, family.evolve, family.decide
)


def _result(kind: str, stream_id: str, changes: list[StreamEvents]) -> dict[str, object]:
    return {"kind": kind, "id": stream_id, "events": [ev.event_type for ch in changes for ev in ch.events]}


async def on_partner(writer: CommandWriter, guard: Guard, command: c.PartnerCommand) -> Outcome:
    loaded = await writer.load(PARTNER, command.organisation_id)
    if loaded.state.exists:
        guard.any_tenant(loaded.state.municipality_codes)
    elif isinstance(command, c.RegisterPartner):
        guard.any_tenant(command.municipality_codes)
    else:
        raise NotFound("organisation_id", f"organisation {command.organisation_id} is not in the directory")
    events = partner_aggregate.decide(loaded.state, command)
    changes = [StreamEvents(PARTNER.stream_type, command.organisation_id, tuple(events))]
    tenant = loaded.state.tenant or (command.municipality_codes[0] if isinstance(command, c.RegisterPartner) else "")
    return await writer.commit(changes, _result("partner", command.organisation_id, changes), tenant=tenant)


async def send_referral(
    writer: CommandWriter,
    guard: Guard,
    children: ChildDirectory,
    freshness: Freshness,
    levels: ServiceLevels,
    command: c.SendReferral,
) -> Outcome:
    """Send (or re-route into) a referral. The consent answer is read after the projection has caught up with
    everything enrollment has published, at the command's moment."""
    await freshness.ensure_current()
    child = await children.child(command.child_id)
    if child is not None:
        guard.child(child.municipality_code, child.child_id, child.team_id)
    loaded = await writer.load(REFERRAL, command.referral_id)
    partner = await writer.load(PARTNER, command.organisation_id)
    view = await children.consent_view(command.child_id)
    events = referral_aggregate.send(loaded.state, partner.state, child, view, levels, command)
    changes = [StreamEvents(REFERRAL.stream_type, command.referral_id, tuple(events))]
    if command.rerouted_from is not None and events:
        previous = await writer.load(REFERRAL, command.rerouted_from)
        if not previous.state.exists or previous.state.child_id != command.child_id:
            raise NotFound("rerouted_from", f"referral {command.rerouted_from} of this child does not exist")
        rerouted = referral_aggregate.decide(previous.state, c.RecordReroute(
            referral_id=command.rerouted_from, to_referral_id=command.referral_id,
            to_organisation_id=command.organisation_id, by=command.sender_id, at=command.at,
        ))
        changes.append(StreamEvents(REFERRAL.stream_type, command.rerouted_from, tuple(rerouted)))
    tenant = child.municipality_code if child is not None else None
    return await writer.commit(changes, _result("referral", command.referral_id, changes), tenant=tenant)


RECEIVER_COMMANDS = (c.ReceiveReferral, c.AcceptReferral, c.DeclineReferral, c.StartReferral)


async def on_referral(
    writer: CommandWriter, guard: Guard, command: referral_aggregate.LifecycleCommand
) -> Outcome:
    """A step of the lifecycle: the recipient's own (receive, accept, decline, start, complete) with its own
    credentials, or the sender's (withdraw, complete with what an offline organisation told them)."""
    loaded = await writer.load(REFERRAL, command.referral_id)
    state = loaded.state
    if not state.exists:
        raise NotFound("referral_id", f"referral {command.referral_id} does not exist")
    by_sender = isinstance(command, c.WithdrawReferral) or (
        isinstance(command, c.CompleteReferral) and command.by_sender
    )
    if by_sender:
        guard.child(state.municipality_code, state.child_id, state.team_id)
    else:
        guard.receiver(state.organisation_id)
    events = referral_aggregate.decide(state, command)
    changes = [StreamEvents(REFERRAL.stream_type, command.referral_id, tuple(events))]
    return await writer.commit(
        changes, _result("referral", command.referral_id, changes), tenant=state.municipality_code
    )


async def on_family(writer: CommandWriter, guard: Guard, command: family.FamilyCommand) -> Outcome:
    """A step of a family partnership, by the family-partner organisation's worker (or the municipality's staff)."""
    loaded = await writer.load(FAMILY, command.partnership_id)
    state = loaded.state
    if state.exists:
        guard.family(state.organisation_id, state.municipality_code)
    elif isinstance(command, family.ReferFamily):
        guard.family(command.organisation_id, command.municipality_code)
    else:
        raise NotFound("partnership_id", f"family partnership {command.partnership_id} does not exist")
    events = family.decide(state, command)
    changes = [StreamEvents(FAMILY.stream_type, command.partnership_id, tuple(events))]
    tenant = state.municipality_code or (command.municipality_code if isinstance(command, family.ReferFamily) else None)
    return await writer.commit(changes, _result("family_partnership", command.partnership_id, changes), tenant=tenant)
