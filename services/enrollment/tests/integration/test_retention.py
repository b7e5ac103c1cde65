"""The retention job erases children (and guardians left with no child) whose period has run, by a fixed clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from enrollment_scenario import TEAM, enrolled_child, guardian, partnership_with_teams
from rinnalla_enrollment.adapters.retention_runner import retention_task, run_retention
from rinnalla_enrollment.main import run_worker
from rinnalla_events.testkit import eventually
from rinnalla_security import RetentionSettings

pytestmark = pytest.mark.integration


async def not_selected_child(api: Any, n: int, *, decided_on: str = "2025-08-12") -> str:
    child_id = f"child-{n:04d}"
    await api.ok(f"/children/{child_id}/nomination", {
        "municipality_code": "092", "team_id": TEAM, "nominated_on": "2025-08-05",
        "preschool": {"name": "Hakunilan esikoulu"},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": f"esiopetus-{n}", "cohort_year": 2019,
    })
    await api.ok(f"/children/{child_id}/guardians-informed", {
        "guardians": [guardian(n)], "informed_on": "2025-08-08",
        "child": {"given_names": f"Lapsi{n}", "family_name": "Esimerkki", "date_of_birth": "2019-03-03"},
        "reasons": ["no_other_hobby"],
    })
    await api.ok(f"/children/{child_id}/non-selection", {"decided_on": decided_on, "reason": "guardians declined"})
    return child_id


async def erased(api: Any, *ids: str) -> list[bool]:
    return [await api.enrollment.codec.keys.is_erased(i) for i in ids]


async def test_a_child_not_selected_is_erased_six_months_after_the_decision_with_their_guardian(api):
    await partnership_with_teams(api)
    declined = await not_selected_child(api, 1)
    active = await enrolled_child(api, 2)

    day_before = await run_retention(api.enrollment, date(2026, 2, 11))
    on_the_day = await run_retention(api.enrollment, date(2026, 2, 12))

    assert day_before.erased == [] and day_before.children_checked == 2
    assert [(r.subject_kind, r.subject_id, r.retention_class) for r in on_the_day.erased] == [
        ("child", declined, "declined_nomination"), ("guardian", "guardian-1", "declined_nomination"),
    ]
    assert on_the_day.erased[0].due_on == date(2026, 2, 12)
    assert "2025-08-12" in on_the_day.erased[0].reason
    assert on_the_day.ok
    assert await erased(api, declined, "guardian-1", active, "guardian-2") == [True, True, False, False]


async def test_a_former_participant_is_kept_five_years_after_leaving_and_an_active_child_forever(api):
    await partnership_with_teams(api)
    exited = await enrolled_child(api, 1)
    await api.ok(f"/children/{exited}/exit", {"exited_on": "2026-02-01", "reason": "moved_away"})
    active = await enrolled_child(api, 2)

    before = await run_retention(api.enrollment, date(2031, 1, 31))
    after = await run_retention(api.enrollment, date(2031, 2, 1))
    much_later = await run_retention(api.enrollment, date(2040, 1, 1))

    assert before.erased == []
    assert [(r.subject_kind, r.subject_id) for r in after.erased] == [("child", exited), ("guardian", "guardian-1")]
    assert much_later.erased == [] and much_later.children_checked == 1
    assert await erased(api, exited, active) == [True, False]


async def test_a_guardian_with_another_child_still_kept_is_not_erased(api):
    await partnership_with_teams(api)
    declined = await not_selected_child(api, 1)
    sibling = await enrolled_child(api, 2)
    await api.ok(f"/children/{sibling}/guardians", {"guardians": [guardian(2), guardian(1)]})

    report = await run_retention(api.enrollment, date(2026, 3, 1))

    assert [(r.subject_kind, r.subject_id) for r in report.erased] == [("child", declined)]
    assert await erased(api, "guardian-1") == [False]


async def test_periods_come_from_the_settings(api):
    await partnership_with_teams(api)
    declined = await not_selected_child(api, 1)
    policy = RetentionSettings(periods={"declined_nomination": "P1M"}).policy()

    report = await run_retention(api.enrollment, date(2025, 9, 12), policy)

    assert [r.subject_id for r in report.erased] == [declined, "guardian-1"]
    assert report.erased[0].reason.startswith("declined_nomination: kept 1 month")


async def test_a_second_run_erases_nothing_more_and_reports_in_words(api):
    await partnership_with_teams(api)
    await not_selected_child(api, 1)

    first = await run_retention(api.enrollment, date(2026, 3, 1))
    second = await run_retention(api.enrollment, date(2026, 3, 1))

    assert len(first.erased) == 2 and second.erased == [] and second.children_checked == 0
    assert first.lines()[0] == "retention on 2026-03-01: 1 children checked, 2 people erased, 0 failed"
    assert first.lines()[1].startswith("erased child child-0001: declined_nomination: kept 6 months")


async def test_the_worker_task_runs_the_job_by_the_service_clock_until_stopped(api):
    await partnership_with_teams(api)
    declined = await not_selected_child(api, 1)
    api.enrollment.clock = lambda: datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    stop = asyncio.Event()

    task = asyncio.create_task(retention_task(api.enrollment, RetentionSettings())(stop))
    for _ in range(500):
        if (await erased(api, declined))[0]:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await task

    assert await erased(api, declined, "guardian-1") == [True, True]


def test_an_unknown_retention_class_in_the_settings_fails_when_the_task_is_built():
    with pytest.raises(KeyError, match="no retention class 'childhood'"):
        retention_task(object(), RetentionSettings(periods={"childhood": "P1Y"}))  # type: ignore[arg-type]


async def test_the_worker_runs_the_job_only_when_retention_is_enabled(api, settings):
    await partnership_with_teams(api)
    declined = await not_selected_child(api, 1, decided_on="2020-01-10")  # long past by any clock

    await api.project()  # the fixture's worker, with the default settings: the job is off
    assert await erased(api, declined) == [False]
    await api.worker.stop()

    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings.model_copy(update={"retention_enabled": True}), stop))

    async def declined_is_erased() -> bool:
        if worker.done():
            worker.result()
        return (await erased(api, declined))[0]

    try:
        await eventually(declined_is_erased, within=30)
    finally:
        stop.set()
        await worker
    assert await erased(api, "guardian-1") == [True]
