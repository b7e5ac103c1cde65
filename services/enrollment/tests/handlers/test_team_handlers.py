"""Partnership and team handlers on the in-memory event store: the lead index, cost sharing, the ends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from enrollment_builders import FOUNDED, OTHER_TEAM, TEAM, found
from enrollment_desk import Desk, StaffOf
from rinnalla_enrollment.application import handlers as h
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.cost_sharing import Payer, PayerKind
from rinnalla_enrollment.domain.errors import AlreadyExists, InvalidTransition, InvalidValue, NotFound
from rinnalla_enrollment.domain.values import FundingSource, TerminationReason
from rinnalla_events import ConcurrencyConflict

P = "partnership-092"


def lead(team_id: str, mentor_id: str = "mentor-1") -> c.AssignMentor:
    return c.AssignMentor(team_id=team_id, mentor_id=mentor_id, starts_on=FOUNDED)


async def two_teams(desk: Desk) -> None:
    await desk.send(h.found_team, found(TEAM))
    await desk.send(h.found_team, found(OTHER_TEAM))


async def test_a_mentor_leading_one_team_is_refused_as_the_lead_of_a_second(desk: Desk) -> None:
    await two_teams(desk)
    await desk.send(h.change_mentors, lead(TEAM))

    with pytest.raises(AlreadyExists) as refused:
        await desk.send(h.change_mentors, lead(OTHER_TEAM))

    assert refused.value.field == "mentor_id"
    assert (await desk.recorded()).count("enrollment.MentorAssigned") == 1


async def test_a_mentor_who_left_their_team_may_lead_another(desk: Desk) -> None:
    await two_teams(desk)
    await desk.send(h.change_mentors, lead(TEAM))
    await desk.send(h.change_mentors, c.ReleaseMentor(team_id=TEAM, mentor_id="mentor-1", left_on=date(2025, 6, 1)))

    outcome = await desk.send(h.change_mentors, lead(OTHER_TEAM))

    assert outcome.result["events"] == ["enrollment.MentorAssigned", "enrollment.MentorLeadClaimed"]


async def test_two_teams_making_the_same_mentor_their_lead_at_once_one_wins(desk: Desk) -> None:
    await two_teams(desk)

    answers = await desk.race(h.change_mentors, lead(TEAM), lead(OTHER_TEAM))

    assert sum(isinstance(a, ConcurrencyConflict) for a in answers) == 1
    assert (await desk.recorded()).count("enrollment.MentorLeadClaimed") == 1


async def test_vantaa_and_its_county_share_the_price_of_the_teams(desk: Desk) -> None:
    await desk.send(
        h.open_partnership, c.OpenPartnership(partnership_id=P, municipality_code="092", opened_on=date(2025, 1, 15))
    )
    command = c.AgreeCostSharing(
        partnership_id=P,
        agreed_on=date(2025, 3, 1),
        valid_from=date(2025, 8, 1),
        payers=(
            Payer(kind=PayerKind.MUNICIPALITY, code="092", share_basis_points=5000),
            Payer(kind=PayerKind.WELLBEING_SERVICES_COUNTY, code="04", share_basis_points=5000),
        ),
    )

    outcome = await desk.send(h.on_partnership, command)
    assert outcome.result["events"] == ["enrollment.PartnershipCostSharingAgreed"]

    with pytest.raises(NotFound):  # another municipality's staff: as if it did not exist
        await desk.send(h.on_partnership, command, guard=StaffOf("109"))


async def test_a_forming_team_cannot_complete_but_may_be_terminated_releasing_its_lead(desk: Desk) -> None:
    await desk.send(h.found_team, found(TEAM))
    await desk.send(h.change_mentors, lead(TEAM))
    with pytest.raises(InvalidTransition) as refused:
        await desk.send(h.change_mentors, c.CompleteTeam(team_id=TEAM, completed_on=date(2037, 7, 31)))
    assert refused.value.field == "team_id"

    outcome = await desk.send(
        h.change_mentors,
        c.TerminateTeam(team_id=TEAM, terminated_on=date(2025, 6, 30), reason=TerminationReason.TOO_FEW_CHILDREN),
    )

    assert outcome.result["events"] == ["enrollment.TeamTerminated", "enrollment.MentorLeadReleased"]


async def test_funding_for_a_year_outside_the_teams_twelve_years_is_refused(desk: Desk) -> None:
    await desk.send(h.found_team, found(TEAM))
    with pytest.raises(InvalidValue) as refused:
        await desk.send(
            h.on_team,
            c.CommitFunding(team_id=TEAM, year=2040, source=FundingSource.MUNICIPALITY, amount_eur=Decimal("30000.00")),
        )
    assert refused.value.field == "year"
