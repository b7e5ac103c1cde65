"""The domain's aggregates as deciders for the event-log helpers."""

from __future__ import annotations

from typing import Any

from rinnalla_events import Decider

from rinnalla_enrollment.domain import child, identity, mentor_lead, partnership, team
from rinnalla_enrollment.domain.child import ChildState
from rinnalla_enrollment.domain.identity import IdentityState
from rinnalla_enrollment.domain.mentor_lead import MentorLeadState
from rinnalla_enrollment.domain.partnership import PartnershipState
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
