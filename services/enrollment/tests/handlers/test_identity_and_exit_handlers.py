"""The handlers for a child without a permanent identity code, and for the exit a consent withdrawal causes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from enrollment_builders import BORN, FOUNDED, OWN_WORD, TEAM, consent, enrol, found, hetu_for, inform, nominate, select
from enrollment_desk import Desk
from rinnalla_enrollment.application import handlers as h
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain.errors import AlreadyExists
from rinnalla_enrollment.domain.values import School

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)


async def an_enrolled_child(desk: Desk, child_id: str, hetu: str) -> None:
    await desk.send(h.nominate_child, nominate(child_id))
    await desk.send(h.on_child, inform(child_id))
    await desk.send(h.on_child, consent(child_id))
    await desk.send(h.decide_selection, select(child_id))
    command = enrol(child_id)
    details = command.child.model_copy(update={"hetu": hetu})
    await desk.send(h.enrol_child, command.model_copy(update={"child": details}))


@pytest.fixture
async def team(desk: Desk) -> None:
    await desk.send(h.found_team, found())
    await desk.send(h.on_team, c.AssignMentor(team_id=TEAM, mentor_id="mentor-1", starts_on=FOUNDED))


@pytest.mark.usefixtures("team")
async def test_a_child_enrolled_without_a_code_claims_no_identity_until_the_permanent_code_is_recorded(
    desk: Desk,
) -> None:
    await an_enrolled_child(desk, "child-1", "")
    assert "enrollment.IdentityClaimed" not in await desk.recorded()

    outcome = await desk.send(
        h.record_permanent_identity, c.RecordPermanentIdentityCode(child_id="child-1", hetu=hetu_for(BORN), at=NOW)
    )

    assert outcome.result["events"] == [
        "enrollment.ChildPermanentIdentityCodeRecorded",
        "enrollment.IdentityClaimed",
    ]


@pytest.mark.usefixtures("team")
async def test_a_permanent_code_already_held_by_another_child_is_refused_on_the_code(desk: Desk) -> None:
    await an_enrolled_child(desk, "child-1", hetu_for(BORN))
    await an_enrolled_child(desk, "child-2", hetu_for(BORN, individual=912))  # a temporary code
    recorded = await desk.recorded()

    with pytest.raises(AlreadyExists) as refused:
        await desk.send(
            h.record_permanent_identity, c.RecordPermanentIdentityCode(child_id="child-2", hetu=hetu_for(BORN), at=NOW)
        )

    assert refused.value.field == "hetu"
    assert await desk.recorded() == recorded


@pytest.mark.usefixtures("team")
async def test_withdrawing_the_participation_consent_exits_the_child_and_takes_them_off_the_roster(
    desk: Desk,
) -> None:
    await an_enrolled_child(desk, "child-1", hetu_for(BORN))

    outcome = await desk.send(
        h.withdraw_consent,
        c.WithdrawConsent(
            child_id="child-1", consent_id="consent-1", withdrawn_by="g-1", recorded_by="g-1", evidence=OWN_WORD, at=NOW
        ),
    )

    assert outcome.result["events"] == [
        "enrollment.ConsentWithdrawn",
        "enrollment.ChildExited",
        "enrollment.ChildLeftTeam",
    ]


@pytest.mark.usefixtures("team")
async def test_a_school_change_is_recorded_on_the_child(desk: Desk) -> None:
    await an_enrolled_child(desk, "child-1", hetu_for(BORN))

    changed = await desk.send(
        h.on_child,
        c.ChangeSchool(
            child_id="child-1",
            school=School(name="Hakunilan yläkoulu"),
            class_name="7C",
            changed_on=date(2031, 8, 10),
        ),
    )

    assert changed.result["events"] == ["enrollment.ChildSchoolChanged"]
