"""Assessments over HTTP: SDQ scored and checked, the self-report's ages, one per wave, instruments as data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from caselog_api import TEAM_B_MENTOR, Api
from rinnalla_events import ERASED, EventCodec, PostgresKeyStore

pytestmark = pytest.mark.integration

CHILD = "child-092-0001"
SEVEN = "child-092-0004"  # born on 2019-05-05 in the demo data: seven in September 2026


def sdq(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"instrument": "sdq", "version": 1, "informant": "parent", "wave": "baseline",
                            "on": "2026-09-20", "answers": [1] * 25}
    body.update(overrides)
    return body


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]


async def test_an_sdq_is_scored_and_shown_on_the_timeline_research_ones_are_not(api: Api) -> None:
    recorded = await api.post(f"/children/{CHILD}/assessments", sdq(scores={"total_difficulties": 20}))
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["id"] == f"{CHILD}:sdq:parent:baseline"
    research = await api.post(f"/children/{CHILD}/assessments", sdq(informant="teacher", recorded_for="research"))
    assert research.status_code == 200, research.text
    await api.project()
    timeline = (await api.get(f"/children/{CHILD}/contacts")).json()
    [shown] = timeline["assessments"]
    assert shown["informant"] == "parent"
    assert shown["scores"] == {"emotional": 5, "conduct": 5, "hyperactivity": 5, "peer": 5, "prosocial": 5,
                               "total_difficulties": 20}


async def test_an_sdq_item_out_of_range_is_refused_naming_the_item(api: Api) -> None:
    response = await api.post(f"/children/{CHILD}/assessments", sdq(answers=[1] * 24 + [3]))
    assert response.status_code == 422
    assert fields(response) == ["body.answers[24]"]
    assert "item 25 is scored 0-2, not 3" in response.json()["detail"]


async def test_scores_that_do_not_match_the_answers_are_refused(api: Api) -> None:
    response = await api.post(f"/children/{CHILD}/assessments", sdq(scores={"total_difficulties": 21}))
    assert response.status_code == 422
    assert fields(response) == ["body.scores.total_difficulties"]


async def test_a_self_report_for_a_7_year_old_is_refused(api: Api) -> None:
    response = await api.post(f"/children/{SEVEN}/assessments", sdq(informant="self"))
    assert response.status_code == 422
    assert fields(response) == ["body.informant"]
    assert "ages 11-17; the child was 7" in response.json()["detail"]


async def test_one_record_per_wave_and_a_correction_supersedes_it(api: Api) -> None:
    assert (await api.post(f"/children/{CHILD}/assessments", sdq())).status_code == 200
    again = await api.post(f"/children/{CHILD}/assessments", sdq(answers=[0] * 25), user="coordinator.vantaa")
    assert again.status_code == 409
    assert "correct it instead" in again.json()["detail"]
    corrected = await api.post(f"/children/{CHILD}/assessment-corrections",
                               {**sdq(answers=[0] * 25), "reason": "entered from the wrong sheet"})
    assert corrected.json()["events"] == ["caselog.AssessmentCorrected"]
    follow_up = await api.post(f"/children/{CHILD}/assessments", sdq(wave="plus_1y", on="2026-11-20"))
    assert follow_up.status_code == 200, follow_up.text
    await api.project()
    rows = {a["wave"]: a for a in (await api.get(f"/children/{CHILD}/contacts")).json()["assessments"]}
    assert rows["baseline"]["corrected"] is True and rows["baseline"]["scores"]["total_difficulties"] == 10
    assert rows["plus_1y"]["corrected"] is False


async def test_another_team_s_mentor_gets_404(api: Api) -> None:
    response = await api.post(f"/children/{CHILD}/assessments", sdq(), claims=TEAM_B_MENTOR)
    assert response.status_code == 404


async def test_a_coordinator_defines_an_instrument_as_data_and_mentors_use_it(api: Api) -> None:
    star = {"definition": {
        "code": "family_star", "version": 1, "title": "Family Star Plus", "item_count": 8, "item_min": 1,
        "item_max": 10, "informants": [{"informant": "family"}],
        "scales": [{"name": "journey", "items": [1, 2, 3, 4, 5, 6, 7, 8], "method": "mean"}]}}
    by_mentor = await api.post("/instruments/family_star/versions", star)
    assert by_mentor.status_code == 403
    defined = await api.post("/instruments/family_star/versions", star, user="coordinator.vantaa")
    assert defined.status_code == 200, defined.text
    twice = await api.post("/instruments/family_star/versions", star, user="coordinator.vantaa")
    assert twice.status_code == 409
    used = await api.post(f"/children/{CHILD}/assessments", {
        "instrument": "family_star", "version": 1, "informant": "family", "wave": "annual", "wave_year": 2026,
        "on": "2026-10-01", "answers": [4, 5, 6, 7, 4, 5, 6, 7]})
    assert used.status_code == 200, used.text
    await api.project()
    [row] = (await api.get(f"/children/{CHILD}/contacts")).json()["assessments"]
    assert row["scores"] == {"journey": 5.5}
    unknown = await api.post(f"/children/{CHILD}/assessments", sdq(instrument="jaasydan"))
    assert unknown.status_code == 404


async def test_a_corrections_reason_is_encrypted_with_the_childs_key_and_goes_with_the_erased_child(api: Api) -> None:
    child = "child-092-0003"
    reason = "Äiti Marjatta Kärkkäinen-Oja täytti väärän lomakkeen"
    assert (await api.post(f"/children/{child}/assessments", sdq())).status_code == 200
    corrected = await api.post(f"/children/{child}/assessment-corrections", {**sdq(answers=[0] * 25), "reason": reason})
    assert corrected.status_code == 200, corrected.text
    codec = api.caselog.runtime.codec

    async def payloads() -> list[dict[str, Any]]:
        async with api.caselog.runtime.connections.acquire() as conn:
            rows = await conn.fetch("SELECT payload::text AS p FROM caselog.events"
                                    " WHERE event_type = 'caselog.AssessmentCorrected'")
        return [json.loads(r["p"]) for r in rows]

    assert reason not in json.dumps(await payloads(), ensure_ascii=False)
    assert [(await codec.decrypt_payload(p))["reason"] for p in await payloads()] == [reason]

    await api.enrollment_command(f"/children/{child}/exit", {"exited_on": "2026-11-20", "reason": "moved_away"})
    await api.enrollment_erasure(child)

    runtime = api.caselog.runtime  # a fresh key store: the running one may cache a key for a short while
    fresh = EventCodec(codec.registry, PostgresKeyStore(
        runtime.connections, runtime.settings.require_master_key(), cache_seconds=0, readable_kinds=["child"]))
    assert [(await fresh.decrypt_payload(p))["reason"] for p in await payloads()] == [ERASED]
