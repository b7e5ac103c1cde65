"""Recording and correcting contacts through the handler, with the roster deciding who may write."""

from __future__ import annotations

from datetime import date

import pytest
from caselog_builders import AINO_WRITES, COORDINATOR, HANDOVER, JUHO_WRITES, VILLE_WRITES, correct, record
from caselog_desk import Desk
from rinnalla_caselog.application import handlers as h
from rinnalla_caselog.domain import contact as ct
from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue, NotFound, RuleViolated
from rinnalla_caselog.domain.roster import ChildFacts


async def test_the_team_s_mentor_records_a_contact_in_the_team_s_municipality(desk: Desk) -> None:
    outcome = await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)))
    assert outcome.result == {"kind": "contact", "id": "contact-1", "events": ["caselog.ContactRecorded"]}
    [recorded] = await desk.recorded()
    assert isinstance(recorded.event, ct.ContactRecorded)
    assert recorded.event.team_id == "team-092-a"
    assert recorded.event.children[0].note == "talked about mornings"
    assert await desk.tenants() == ["092"]


async def test_the_note_is_stored_encrypted_with_the_child_s_key(desk: Desk) -> None:
    await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)))
    [payload] = await desk.payloads()
    sealed = payload["children"][0]["note"]
    assert sealed["$pii"] == "child-092-0001"
    assert "talked" not in str(sealed)


async def test_another_team_s_mentor_gets_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound) as refused:
        await desk.send(h.record_contact, JUHO_WRITES, record(on=date(2026, 12, 1)))
    assert refused.value.field == "children[0].child_id"
    assert await desk.recorded() == []


async def test_the_outgoing_mentor_s_contact_after_the_handover_is_refused(desk: Desk) -> None:
    with pytest.raises(RuleViolated, match="handed team"):
        await desk.send(h.record_contact, AINO_WRITES, record(on=HANDOVER))
    await desk.send(h.record_contact, VILLE_WRITES, record(on=HANDOVER))
    assert [r.event.event_type for r in await desk.recorded()] == ["caselog.ContactRecorded"]


async def test_a_future_date_is_refused_before_the_roster_is_asked(desk: Desk) -> None:
    with pytest.raises(InvalidValue, match="in the future"):
        await desk.send(h.record_contact, JUHO_WRITES, record(on=date(2027, 3, 5)))


async def test_no_contact_after_the_child_s_exit(desk: Desk) -> None:
    facts = desk.roster.known_children["child-092-0001"]
    desk.roster.known_children["child-092-0001"] = ChildFacts(
        facts.child_id, facts.born_on, facts.memberships, date(2027, 2, 1), "exited: moved_away"
    )
    with pytest.raises(RuleViolated, match="left the programme"):
        await desk.send(h.record_contact, VILLE_WRITES, record(on=date(2027, 2, 2)))


async def test_a_group_contact_for_children_of_two_teams_is_refused(desk: Desk) -> None:
    children = ({"child_id": "child-092-0001"}, {"child_id": "child-092-0004"})
    with pytest.raises(RuleViolated, match="different teams"):
        await desk.send(h.record_contact, COORDINATOR, record(children=children, on=date(2026, 12, 1)))
    with pytest.raises(NotFound):
        await desk.send(h.record_contact, AINO_WRITES, record(children=children, on=date(2026, 12, 1)))


async def test_a_retry_with_the_same_key_changes_nothing(desk: Desk) -> None:
    first = await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)), key="k-1")
    again = await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)), key="k-1")
    assert again.replayed and again.result == first.result
    assert len(await desk.recorded()) == 1
    with pytest.raises(AlreadyExists):
        await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)), key="k-2")


async def test_a_correction_is_a_new_event_and_decided_again_by_the_roster(desk: Desk) -> None:
    await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)))
    # moving her own contact past her handover is refused like a new one would be
    with pytest.raises(RuleViolated, match="handed team"):
        await desk.send(h.record_contact, AINO_WRITES, correct(on=HANDOVER))
    await desk.send(h.record_contact, AINO_WRITES, correct(on=date(2026, 12, 2), minutes=90))
    events = [r.event for r in await desk.recorded()]
    assert [type(e).__name__ for e in events] == ["ContactRecorded", "ContactCorrected"]
    corrected = events[1]
    assert isinstance(corrected, ct.ContactCorrected)
    assert (corrected.on, corrected.minutes) == (date(2026, 12, 2), 90)


async def test_the_successor_cannot_correct_the_predecessor_s_contact_but_a_coordinator_can(desk: Desk) -> None:
    await desk.send(h.record_contact, AINO_WRITES, record(on=date(2026, 12, 1)))
    with pytest.raises(NotFound):
        await desk.send(h.record_contact, VILLE_WRITES, correct(on=HANDOVER))
    outcome = await desk.send(h.record_contact, COORDINATOR, correct(on=date(2026, 12, 1), reason="typo"))
    assert outcome.result["events"] == ["caselog.ContactCorrected"]
