"""The domain's aggregates as deciders for the event-log helpers."""

from __future__ import annotations

from typing import Any

from rinnalla_events import Decider

from rinnalla_enrollment.domain import child, identity, mentor_lead, partnership, records, team
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.identity import IdentityState
from rinnalla_enrollment.domain.mentor_lead import MentorLeadState
from rinnalla_enrollment.domain.partnership import PartnershipState
from rinnalla_enrollment.domain.records import HoldState, RegisterState
from rinnalla_enrollment.domain.team import TeamState

PARTNERSHIP: Decider[PartnershipState, Any] = Decider(
    partnership.STREAM_TYPE, partnership.initial, partnership.evolve, partnership.decide
)
TEAM: Decider[TeamState, Any] = Decider(team.STREAM_TYPE, team.initial, team.evolve, team.decide)
CHILD: Decider[ChildState, Any] = Decider(child.STREAM_TYPE, child.initial, child.evolve, child.decide)
IDENTITY: Decider[IdentityState, Any] = Decider(
    identity.STREAM_TYPE, identity.initial, identity.evolve, identity.decide
)
MENTOR_LEAD: Decider[MentorLeadState, Any] = Decider(
    mentor_lead.STREAM_TYPE, mentor_lead.initial, mentor_lead.evolve, mentor_lead.decide
)
# The team's stream read for its register only (the team aggregate ignores the register's events).
TEAM_REGISTER: Decider[RegisterState, Any] = Decider(
    team.STREAM_TYPE, records.register_initial, records.register_evolve, records.register_decide
)
LEGAL_HOLD: Decider[HoldState, Any] = Decider(
    records.HOLD_STREAM_TYPE, records.hold_initial, records.hold_evolve, records.hold_decide
)
