"""Whose records they are and how long they are kept: a team's register (the programme's own, or a county's
purchased service with its statutory period), and legal holds that the retention job respects."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from enrollment_scenario import OTHER_TEAM, TEAM, enrolled_child, guardian, partnership_with_teams
from rinnalla_enrollment.adapters.retention_runner import retention_task, run_retention
from rinnalla_security import RetentionSettings

pytestmark = pytest.mark.integration

OUTSIDER = {"tenants": ["109"]}
SIB_HOLD = {
    "municipality_code": "092", "scope": "team", "target_id": TEAM, "basis": "sib_outcome_measurement",
    "reference": "LAPSET-SIB-2019", "placed_on": "2026-01-15", "held_until": "2031-12-31",
}
PURCHASED = {
    "register_kind": "purchased_service", "statutory_retention": "family_services_record",
    "contract_reference": "VAKE-2025/17", "recorded_on": "2025-08-01",
}


async def a_child_who_left(api: Any, n: int, *, team: str = TEAM, on: str = "2026-02-01") -> str:
    child_id = await enrolled_child(api, n, team=team)
    await api.ok(f"/children/{child_id}/exit", {"exited_on": on, "reason": "moved_away"})
    return child_id


async def not_selected_child(api: Any, n: int) -> str:
    child_id = f"child-{n:04d}"
    await api.ok(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
        "preschool_reference": f"esiopetus-{n}", "cohort_year": 2019,
    })
    await api.ok(f"/children/{child_id}/guardians-informed", {
        "guardians": [guardian(n)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"],
        "child": {"given_names": f"Lapsi{n}", "family_name": "Esimerkki", "date_of_birth": "2019-03-03"},
    })
    await api.ok(f"/children/{child_id}/non-selection", {"decided_on": "2025-08-12", "reason": "declined"})
    return child_id


async def schedule(api: Any, on: str, user: str = "coordinator.vantaa") -> dict[str, dict[str, Any]]:
    answer = await api.get("/retention/schedule", user=user, params={"on": on})
    assert answer.status_code == 200, answer.text
    return {row["child_id"]: row for row in answer.json()}


async def erased(api: Any, *ids: str) -> list[bool]:
    return [await api.enrollment.codec.keys.is_erased(i) for i in ids]


def problem(response: Any) -> tuple[int, list[str]]:
    return response.status_code, [e["field"] for e in response.json().get("errors", [])]


# --- registers --------------------------------------------------------------------------------------


async def test_a_purchased_service_teams_records_are_the_countys_and_kept_for_its_statutory_period(api):
    await partnership_with_teams(api)
    answer = await api.ok(f"/teams/{TEAM}/register", PURCHASED)
    assert answer["events"] == ["enrollment.TeamRegisterRecorded"]
    county_child = await a_child_who_left(api, 1, team=TEAM)
    own_child = await a_child_who_left(api, 2, team=OTHER_TEAM)

    rows = await schedule(api, "2031-02-01")
    shown = ("register_kind", "controller", "retention_class", "due_on", "status")

    assert {k: rows[county_child][k] for k in shown} == {
        "register_kind": "purchased_service",
        "controller": {"kind": "wellbeing_services_county", "county_code": "04"},  # Vantaa and Kerava
        "retention_class": "family_services_record", "due_on": "2056-02-01", "status": "kept",
    }
    assert {k: rows[own_child][k] for k in shown} == {
        "register_kind": "programme", "controller": {"kind": "association", "county_code": None},
        "retention_class": "programme_record", "due_on": "2031-02-01", "status": "due",
    }
    report = await run_retention(api.enrollment, date(2031, 2, 1))
    assert [r.subject_id for r in report.erased] == [own_child, "guardian-2"]
    assert await erased(api, county_child, own_child) == [False, True]
    later = await run_retention(api.enrollment, date(2056, 2, 1))
    assert [(r.subject_id, r.retention_class) for r in later.erased][:1] == [(county_child, "family_services_record")]


async def test_a_purchased_service_names_its_statutory_period_and_contract(api):
    await partnership_with_teams(api)

    no_period = await api.command(f"/teams/{TEAM}/register", {**PURCHASED, "statutory_retention": None})
    no_contract = await api.command(f"/teams/{TEAM}/register", {**PURCHASED, "contract_reference": None})
    prose = await api.command(f"/teams/{TEAM}/register", {**PURCHASED, "contract_reference": "Matti Virtanen"})
    own_with_period = await api.command(f"/teams/{TEAM}/register", {**PURCHASED, "register_kind": "programme"})
    stranger = await api.command(f"/teams/{TEAM}/register", PURCHASED, headers=api.token("coordinator.vantaa",
                                                                                          **OUTSIDER))
    mentor = await api.command(f"/teams/{TEAM}/register", PURCHASED, user="mentor.vantaa")

    assert problem(no_period) == (422, ["body.statutory_retention"])
    assert problem(no_contract) == (422, ["body.contract_reference"])
    assert problem(prose)[0] == 422 and problem(prose)[1] == ["body.contract_reference"]
    assert problem(own_with_period) == (422, ["body.statutory_retention"])
    assert stranger.status_code == 404
    assert mentor.status_code == 403
    # The programme's own register is the default: recording it again changes nothing.
    again = await api.ok(f"/teams/{TEAM}/register", {"register_kind": "programme", "recorded_on": "2025-08-01"})
    assert again["events"] == []


# --- legal holds ------------------------------------------------------------------------------------


async def test_a_legal_hold_keeps_due_records_the_job_says_why_and_they_go_when_it_ends(api):
    await partnership_with_teams(api)
    held = await a_child_who_left(api, 1, team=TEAM)
    free = await a_child_who_left(api, 2, team=OTHER_TEAM)
    refused = await api.command("/legal-holds/hold-092-sib", SIB_HOLD)  # a coordinator may not keep data longer
    assert refused.status_code == 403
    placed = await api.ok("/legal-holds/hold-092-sib", SIB_HOLD, user="dpo.vantaa")
    assert placed["events"] == ["enrollment.LegalHoldPlaced"]

    holds = await api.get("/legal-holds", user="coordinator.vantaa", params={"on": "2031-02-01"})
    assert holds.status_code == 200, holds.text
    [shown] = holds.json()
    assert {k: shown[k] for k in ("hold_id", "basis", "reference", "held_until", "in_force", "placed_by")} == {
        "hold_id": "hold-092-sib", "basis": "sib_outcome_measurement", "reference": "LAPSET-SIB-2019",
        "held_until": "2031-12-31", "in_force": True, "placed_by": "user-dpo.vantaa",
    }
    rows = await schedule(api, "2031-02-01")
    assert (rows[held]["status"], rows[held]["held_by"]) == ("held", ["hold-092-sib"])
    assert "until 2031-12-31" in rows[held]["reason"]
    assert (rows[free]["status"], rows[free]["held_by"]) == ("due", [])

    report = await run_retention(api.enrollment, date(2031, 2, 1))

    assert [r.subject_id for r in report.erased] == [free, "guardian-2"]
    assert [h.subject_id for h in report.held] == [held]
    assert f"kept child {held}: programme_record: the period ended on 2031-02-01, kept under legal hold " \
           f"hold-092-sib (sib_outcome_measurement, LAPSET-SIB-2019) on team {TEAM} until 2031-12-31" in report.lines()
    assert await erased(api, held, "guardian-1") == [False, False]  # the guardian is kept with the child

    after_the_hold = await run_retention(api.enrollment, date(2032, 1, 1))
    assert [r.subject_id for r in after_the_hold.erased] == [held, "guardian-1"]


async def test_a_lifted_hold_no_longer_keeps_the_record(api):
    await partnership_with_teams(api)
    declined = await not_selected_child(api, 1)
    study = {"municipality_code": "092", "scope": "child", "target_id": declined, "basis": "research_study",
             "reference": "THL/1234/2025", "placed_on": "2025-09-01", "held_until": "2039-12-31"}
    await api.ok("/legal-holds/hold-study", study, user="dpo.vantaa")
    kept = await run_retention(api.enrollment, date(2026, 3, 1))
    assert kept.erased == [] and [h.subject_id for h in kept.held] == [declined]

    lifted = await api.ok("/legal-holds/hold-study/lifting", {"lifted_on": "2026-03-02"}, user="dpo.vantaa")
    twice = await api.command("/legal-holds/hold-study/lifting", {"lifted_on": "2026-03-03"}, user="dpo.vantaa")
    report = await run_retention(api.enrollment, date(2026, 3, 2))

    assert lifted["events"] == ["enrollment.LegalHoldLifted"]
    assert twice.status_code == 409 and "was lifted on 2026-03-02" in twice.text
    assert [r.subject_id for r in report.erased] == [declined, "guardian-1"]
    shown = (await api.get("/legal-holds", user="dpo.vantaa", params={"on": "2026-03-02"})).json()
    assert [(h["hold_id"], h["in_force"], h["lifted_on"]) for h in shown] == [("hold-study", False, "2026-03-02")]


async def test_holds_are_checked_and_kept_within_the_municipality(api):
    await partnership_with_teams(api)
    await api.ok("/legal-holds/hold-092-sib", SIB_HOLD, user="dpo.vantaa")

    ends_first = await api.command("/legal-holds/h-2", {**SIB_HOLD, "held_until": "2026-01-01"}, user="dpo.vantaa")
    no_team = await api.command("/legal-holds/h-3", {**SIB_HOLD, "target_id": "team-nowhere"}, user="dpo.vantaa")
    prose = await api.command("/legal-holds/h-4", {**SIB_HOLD, "reference": "Lapsi Esimerkki"}, user="dpo.vantaa")
    again = await api.command("/legal-holds/hold-092-sib", {**SIB_HOLD, "basis": "legal_claim"}, user="dpo.vantaa")
    other_town = await api.command("/legal-holds/h-5", {**SIB_HOLD, "municipality_code": "109"}, user="dpo.vantaa")
    outsider_lift = await api.command("/legal-holds/hold-092-sib/lifting", {"lifted_on": "2026-03-01"},
                                      headers=api.token("dpo.vantaa", **OUTSIDER))
    outsider_list = await api.client.get("/v1/legal-holds", headers=api.token("dpo.vantaa", **OUTSIDER))
    guardian_list = await api.get("/legal-holds", user="mentor.vantaa")
    await a_child_who_left(api, 1)
    outsider_schedule = await api.client.get("/v1/retention/schedule", headers=api.token("coordinator.vantaa",
                                                                                        **OUTSIDER))
    mentor_schedule = await api.get("/retention/schedule", user="mentor.vantaa")
    anonymous = await api.client.get("/v1/retention/schedule")

    assert problem(ends_first) == (422, ["body.held_until"])
    assert problem(no_team) == (404, ["body.target_id"])
    assert problem(prose) == (422, ["body.reference"])
    assert again.status_code == 409
    assert other_town.status_code == 404
    assert outsider_lift.status_code == 404
    assert outsider_list.status_code == 200 and outsider_list.json() == []
    assert guardian_list.status_code == 403
    assert outsider_schedule.status_code == 200 and outsider_schedule.json() == []
    assert mentor_schedule.status_code == 403 and anonymous.status_code == 401
    assert "child-0001" in await schedule(api, "2026-03-01")


async def test_the_worker_task_skips_a_held_record(api):
    await partnership_with_teams(api)
    held = await a_child_who_left(api, 1, team=TEAM)
    await api.ok("/legal-holds/hold-092-sib", SIB_HOLD, user="dpo.vantaa")
    free = await a_child_who_left(api, 2, team=OTHER_TEAM)
    api.enrollment.clock = lambda: datetime(2031, 6, 1, 3, 0, tzinfo=UTC)
    stop = asyncio.Event()

    task = asyncio.create_task(retention_task(api.enrollment, RetentionSettings())(stop))
    for _ in range(500):
        if (await erased(api, free))[0]:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await task

    assert await erased(api, free, held) == [True, False]
