"""After erasure nothing in any table or in the event log (PostgreSQL and JetStream) lets the child's identity
code, name or free text be recovered: not in plain text, not as the old keyed hash of the identity code, and
not by trying every identity code of the child's birth date with the master key."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date
from typing import Any

import pytest
from enrollment_scenario import TEAM, enrolment, guardian, partnership_with_teams, selected_child
from rinnalla_enrollment.config import EVENT_SCHEMA
from rinnalla_enrollment.demo import demo_hetu
from rinnalla_enrollment.domain.identity import IdentityClaimed, IdentityReleased
from rinnalla_enrollment.persistence.identity_claims import identity_index_ddl
from rinnalla_events import EventMetadata

pytestmark = pytest.mark.integration

BORN = date(2019, 5, 17)
HETU = demo_hetu(BORN, 238)
GIVEN, FAMILY = "Lumikki-Aurora", "Kivijärvenmaa"
OTHER_GIVEN, OTHER_FAMILY = "Onni-Valtteri", "Pitkäsalmela"
FREE_TEXT = "Perhe muutti Ouluun, Onni-Valtteri Pitkäsalmela aloittaa siellä"
ERASURE = {"reason": "Guardian's erasure request of 2026-03-02, case DPO-2026-014"}
CENTURY_SIGNS_2000S = "ABCDEF"
CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


async def dump_database(api: Any) -> str:
    """Every row of every table in every schema, as text."""
    async with api.enrollment.connections.acquire() as conn:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        dump: list[str] = []
        for table in tables:
            name = f'"{table["table_schema"]}"."{table["table_name"]}"'
            dump += [row["t"] for row in await conn.fetch(f"SELECT t::text AS t FROM {name} t")]
    return "\n".join(dump)


async def dump_jetstream(api: Any) -> str:
    """Every message the relay published to the service's JetStream stream (headers and body)."""
    await api.worker.start()
    js = api.worker.nc.jetstream()
    stream = api.enrollment.subjects.stream_name("enrollment")
    info = await js.stream_info(stream)
    found: list[str] = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        found.append(f"{message.subject} {message.headers} {message.data.decode()}")
    assert found, "the relay published nothing"
    return "\n".join(found)


def every_code_of(born: date) -> list[str]:
    """Every identity code a person born on `born` can have (each century sign of the 2000s, 002-899)."""
    codes = []
    for individual in range(2, 900):
        digits = f"{born:%d%m%y}{individual:03d}"
        check = CHECK[int(digits) % 31]
        codes += [f"{born:%d%m%y}{sign}{individual:03d}{check}" for sign in CENTURY_SIGNS_2000S]
    return codes


def traces(api: Any) -> dict[str, str]:
    """What must not survive, each in the forms someone could search for."""
    keyed = api.enrollment.identity_keys.key_of(HETU)  # the old index's stream id, with the master key
    return {
        "identity code": HETU, "identity code, lower case": HETU.lower(),
        "keyed hash of the identity code": keyed,
        "SHA-256 of the identity code": hashlib.sha256(HETU.encode()).hexdigest(),
        "given names": GIVEN, "family name": FAMILY,
        "other child's given names": OTHER_GIVEN, "other child's family name": OTHER_FAMILY,
        "free-text reason": FREE_TEXT, "part of the free text": "muutti Ouluun",
    }


async def an_enrolled_child_who_left(api: Any) -> str:
    child_id = await selected_child(api, 1)
    body = enrolment(1, date_of_birth=BORN, hetu=HETU)
    body["child"].update({"given_names": GIVEN, "family_name": FAMILY})
    await api.ok(f"/children/{child_id}/enrolment", body)
    await api.ok(f"/children/{child_id}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    return child_id


async def a_child_not_selected_with_a_free_text_reason(api: Any) -> str:
    child_id = "child-0002"
    await api.ok(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
        "preschool_reference": "esiopetus-2", "cohort_year": 2019,
    })
    await api.ok(f"/children/{child_id}/guardians-informed", {
        "guardians": [guardian(2)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": OTHER_GIVEN, "family_name": OTHER_FAMILY, "date_of_birth": "2019-03-03"},
    })
    await api.ok(f"/children/{child_id}/non-selection", {"decided_on": "2025-08-12", "reason": FREE_TEXT})
    return child_id


async def erase(api: Any, child_id: str) -> None:
    answer = await api.client.post(
        f"/v1/children/{child_id}/erasure", json=ERASURE,
        headers={**api.token("dpo.vantaa", purpose=None), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 200, answer.text


async def test_after_erasure_no_table_and_no_event_holds_the_code_the_name_or_the_free_text(api):
    await partnership_with_teams(api)
    left = await an_enrolled_child_who_left(api)
    declined = await a_child_not_selected_with_a_free_text_reason(api)
    await api.project()
    before = await dump_database(api)
    looked_for = traces(api)
    # The search finds what is there: the read model shows the names, the index holds the lookup key...
    assert GIVEN in before and OTHER_GIVEN in before
    assert looked_for["keyed hash of the identity code"] in before
    # ...and the event log never held the free text in the clear.
    async with api.enrollment.connections.acquire() as conn:
        events = "\n".join(r["p"] for r in await conn.fetch("SELECT payload::text AS p FROM enrollment.events"))
    assert FREE_TEXT not in events and "muutti Ouluun" not in events

    await erase(api, left)
    await erase(api, declined)
    await api.project()
    everything = await dump_database(api) + "\n" + await dump_jetstream(api)

    left_over = {what: text for what, text in looked_for.items() if text in everything}
    assert left_over == {}
    # With the master key, every identity code of the birth date tried against every hex string kept.
    hex_strings = set(re.findall(r"[0-9a-f]{64}", everything))
    keys = api.enrollment.identity_keys
    assert not [code for code in every_code_of(BORN) if keys.key_of(code) in hex_strings]
    # The erased children's read endpoints answer 404 and the not-selected reason is gone with the child.
    for child_id in (left, declined):
        assert (await api.get(f"/children/{child_id}", user="coordinator.vantaa")).status_code == 404


async def test_an_erased_person_enrolled_again_is_unique_again_and_the_old_stream_is_unreachable(api):
    await partnership_with_teams(api)
    left = await an_enrolled_child_who_left(api)
    await erase(api, left)
    again = await selected_child(api, 3, date_of_birth=BORN)

    first = await api.command(f"/children/{again}/enrolment", enrolment(3, date_of_birth=BORN, hetu=HETU))
    assert first.status_code == 200, first.text
    twin = await selected_child(api, 4, date_of_birth=BORN)
    refused = await api.command(f"/children/{twin}/enrolment", enrolment(4, date_of_birth=BORN, hetu=HETU))

    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"][0]["field"] == "body.child.hetu"
    async with api.enrollment.connections.acquire() as conn:
        index = await conn.fetch("SELECT lookup_key, stream_id FROM enrollment.identity_index")
        streams = await conn.fetch(
            "SELECT DISTINCT stream_id FROM enrollment.events WHERE stream_type = 'identity'"
        )
    assert len(index) == 1 and len(streams) == 2  # the erased child's stream is kept, but nothing points to it
    assert {r["stream_id"] for r in streams} >= {index[0]["stream_id"]}
    assert all(re.fullmatch(r"[0-9a-f-]{36}", r["stream_id"]) for r in streams)  # random ids, not hashes


async def test_a_lookup_key_that_never_led_to_a_claim_is_swept_at_the_next_erasure(api):
    await partnership_with_teams(api)
    left = await an_enrolled_child_who_left(api)
    failed_long_ago = api.enrollment.identity_keys.key_of(demo_hetu(BORN, 240))
    failed_just_now = api.enrollment.identity_keys.key_of(demo_hetu(BORN, 242))
    async with api.enrollment.connections.acquire() as conn:
        await conn.execute(
            "INSERT INTO enrollment.identity_index (lookup_key, stream_id, created_at)"
            " VALUES ($1, 'orphan-1', now() - interval '2 hours'), ($2, 'orphan-2', now())",
            failed_long_ago, failed_just_now,
        )

    await erase(api, left)

    async with api.enrollment.connections.acquire() as conn:
        kept = {r["lookup_key"] for r in await conn.fetch("SELECT lookup_key FROM enrollment.identity_index")}
    assert kept == {failed_just_now}  # an enrolment may still be on its way to claim the fresh one


async def test_upgrading_renames_the_old_hashed_identity_streams_and_keeps_only_the_held_claims(api):
    await partnership_with_teams(api)
    held_code, released_code = demo_hetu(BORN, 250), demo_hetu(BORN, 252)
    keys, store = api.enrollment.identity_keys, api.enrollment.store
    old_held, old_released = keys.key_of(held_code), keys.key_of(released_code)
    # Streams as the index wrote them before revision 0005: named by the keyed hash itself.
    metadata = EventMetadata(tenant="092", actor="coordinator")
    await store.append("identity", old_held, [IdentityClaimed(child_id="child-old-1")], expected_version=0,
                       metadata=metadata)
    await store.append("identity", old_released, [IdentityClaimed(child_id="child-old-2"),
                                                 IdentityReleased(child_id="child-old-2")],
                       expected_version=0, metadata=metadata)

    async with api.enrollment.connections.acquire() as conn:
        for statement in identity_index_ddl(EVENT_SCHEMA):
            await conn.execute(statement)
        for statement in identity_index_ddl(EVENT_SCHEMA):  # a second run changes nothing
            await conn.execute(statement)
        streams = {r["stream_id"] for r in await conn.fetch(
            "SELECT DISTINCT stream_id FROM enrollment.events WHERE stream_type = 'identity'")}
        index = {r["lookup_key"]: r["stream_id"] for r in await conn.fetch(
            "SELECT lookup_key, stream_id FROM enrollment.identity_index")}

    assert old_held not in streams and old_released not in streams and len(streams) == 2
    assert list(index) == [old_held] and index[old_held] in streams
    still_held = await selected_child(api, 5, date_of_birth=BORN)
    refused = await api.command(f"/children/{still_held}/enrolment", enrolment(5, date_of_birth=BORN, hetu=held_code))
    assert refused.status_code == 409, refused.text  # uniqueness survives the upgrade
    free_again = await selected_child(api, 6, date_of_birth=BORN)
    enrolled = await api.command(f"/children/{free_again}/enrolment",
                                 enrolment(6, date_of_birth=BORN, hetu=released_code))
    assert enrolled.status_code == 200, enrolled.text
