"""Family partnerships through the handlers: the partner organisation's worker acts on its own families,
another organisation's worker finds nothing."""

from __future__ import annotations

from datetime import date

import pytest
from network_builders import T0
from network_desk import Desk, Staff
from rinnalla_network.domain import family_partnership as fp
from rinnalla_network.domain.errors import InvalidTransition, NotFound

WORKER = Staff(("109",), organisation_id="org-sos-family-partner")
OTHER = Staff(("092",), organisation_id="org-other")
P = "family-109-0001"


def refer() -> fp.ReferFamily:
    return fp.ReferFamily(partnership_id=P, organisation_id="org-sos-family-partner", worker_id="w",
                          municipality_code="109", route=fp.ReferralRoute.RESOURCE_STEERING,
                          child_ids=("child-109-0001",), referred_on=date(2026, 3, 2), at=T0)


async def test_the_worker_refers_assesses_and_plans_and_others_see_nothing() -> None:
    desk = Desk.empty()
    with pytest.raises(NotFound):
        await desk.family(refer(), OTHER)
    await desk.family(refer(), WORKER)
    plan = fp.AgreeSupportPlan(partnership_id=P, goals=(fp.GoalArea.PARENTING,), agreed_on=date(2026, 3, 30),
                               review_by=date(2026, 6, 30), by="w", at=T0)
    with pytest.raises(InvalidTransition):
        await desk.family(plan, WORKER)
    with pytest.raises(NotFound):
        await desk.family(fp.CompleteInitialAssessment(partnership_id=P, assessed_on=date(2026, 3, 9), by="x",
                                                       at=T0), OTHER)
    await desk.family(fp.CompleteInitialAssessment(partnership_id=P, assessed_on=date(2026, 3, 9), by="w", at=T0),
                      WORKER)
    outcome = await desk.family(plan, WORKER)
    assert outcome.result["events"] == ["network.SupportPlanAgreed"]
    assert await desk.recorded() == ["network.FamilyReferred", "network.InitialAssessmentCompleted",
                                     "network.SupportPlanAgreed"]
