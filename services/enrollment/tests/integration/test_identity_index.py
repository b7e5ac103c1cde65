"""One enrolment per person: the same identity code cannot be enrolled under two child ids."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from enrollment_scenario import (
    OTHER_TEAM,
    TEAM,
    born,
    enrolled_child,
    enrolment,
    partnership_with_teams,
    selected_child,
)
from rinnalla_enrollment.config import EVENT_SCHEMA

pytestmark = pytest.mark.integration

ERASURE = {"reason": "Guardian's erasure request of 2026-03-02, case DPO-2026-014"}


def hetu_of(n: int) -> str:
    """The identity code `enrolment(n)` sends."""
    return str(enrolment(n)["child"]["hetu"])


async def rows(api: Any, sql: str, *args: Any) -> list[Any]:
    async with api.enrollment.connections.acquire() as conn:
        return list(await conn.fetch(sql, *args))


async def stream_events(api: Any, stream_type: str, stream_id: str | None = None) -> list[str]:
    found = await rows(
        api,
        f"SELECT event_type FROM {EVENT_SCHEMA}.events WHERE stream_type = $1"
        " AND ($2::text IS NULL OR stream_id = $2) ORDER BY position",
        stream_type, stream_id,
    )
    return [row["event_type"] for row in found]


async def enrol_as(api: Any, child_id: str, n: int, *, person: int, team: str = TEAM, hetu: str | None = None) -> Any:
    """Enrol `child_id` with child n's details but as person `person` (their identity code, or `hetu`)."""
    body = enrolment(n, team=team, date_of_birth=born(person), hetu=hetu or hetu_of(person))
    return await api.command(f"/children/{child_id}/enrolment", body)


async def twin_record(api: Any, n: int, *, of: int, team: str = TEAM) -> str:
    """Child n nominated and selected with the date of birth of child `of`: a second record of that person."""
    return await selected_child(api, n, team=team, date_of_birth=born(of))


async def test_the_same_person_under_a_second_child_id_is_refused_and_nothing_is_written(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    second = await twin_record(api, 2, of=1)
    child_before, team_before = await stream_events(api, "child", second), await stream_events(api, "team", TEAM)

    # Letter case and surrounding spaces do not make another person.
    refused = await enrol_as(api, second, 2, person=1, hetu=f" {hetu_of(1).lower()} ")

    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"] == [{
        "field": "body.child.hetu", "reason": "this person is already enrolled as another child",
        "type": "already_exists",
    }]
    assert await stream_events(api, "child", second) == child_before
    assert await stream_events(api, "team", TEAM) == team_before
    assert await stream_events(api, "identity") == ["enrollment.IdentityClaimed"]


async def test_two_concurrent_enrolments_of_one_person_let_exactly_one_win(api):
    await partnership_with_teams(api)
    first = await selected_child(api, 1)
    second = await twin_record(api, 2, of=1, team=OTHER_TEAM)  # another team: only the identity is shared

    answers = await asyncio.gather(
        enrol_as(api, first, 1, person=1), enrol_as(api, second, 2, person=1, team=OTHER_TEAM)
    )

    assert sorted(answer.status_code for answer in answers) == [200, 409], [a.text for a in answers]
    enrolled = [
        child_id for child_id in (first, second)
        if "enrollment.ChildEnrolled" in await stream_events(api, "child", child_id)
    ]
    assert len(enrolled) == 1
    assert await stream_events(api, "identity") == ["enrollment.IdentityClaimed"]


async def test_different_people_are_enrolled_side_by_side(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    await enrolled_child(api, 2)
    await enrolled_child(api, 3, team=OTHER_TEAM)

    keys = await rows(api, f"SELECT DISTINCT stream_id FROM {EVENT_SCHEMA}.events WHERE stream_type = 'identity'")
    assert len(keys) == 3


async def test_after_the_first_child_is_erased_the_person_can_be_enrolled_again(api):
    await partnership_with_teams(api)
    first = await enrolled_child(api, 1)
    await api.ok(f"/children/{first}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    second = await twin_record(api, 2, of=1)

    assert (await enrol_as(api, second, 2, person=1)).status_code == 409
    erased = await api.client.post(
        f"/v1/children/{first}/erasure", json=ERASURE,
        headers={**api.token("dpo.vantaa", purpose=None), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert erased.status_code == 200, erased.text
    again = await enrol_as(api, second, 2, person=1)

    assert again.status_code == 200, again.text
    assert await stream_events(api, "identity") == [
        "enrollment.IdentityClaimed", "enrollment.IdentityReleased", "enrollment.IdentityClaimed",
    ]


async def test_the_database_holds_no_plaintext_identity_code(api):
    await partnership_with_teams(api)
    await enrolled_child(api, 1)
    await enrolled_child(api, 2)
    assert (await enrol_as(api, await twin_record(api, 3, of=1), 3, person=1)).status_code == 409
    tables = await rows(
        api,
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        " AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )

    dump: list[str] = []
    for table in tables:
        name = f'"{table["table_schema"]}"."{table["table_name"]}"'
        dump += [row["t"] for row in await rows(api, f"SELECT t::text AS t FROM {name} t")]
    everything = "\n".join(dump)

    assert await stream_events(api, "identity")  # the index is there...
    for code in (hetu_of(1), hetu_of(2)):
        assert code not in everything and code.lower() not in everything  # ...and no identity code in the clear
