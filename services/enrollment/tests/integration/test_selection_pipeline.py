"""The selection pipeline: children per stage and nominating preschool, small counts suppressed."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_scenario import enrolment, partnership_with_teams, selected_child
from rinnalla_enrollment.config import EVENT_SCHEMA

pytestmark = pytest.mark.integration

HAKUNILA = "Hakunilan esikoulu"
LANSIMAKI = "Länsimäen esikoulu"


async def nominated_child(api: Any, n: int, preschool: str) -> None:
    await api.ok(f"/children/child-{n:04d}/nomination", {
        "municipality_code": "092", "nominated_on": "2025-08-05", "preschool": {"name": preschool},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": f"esiopetus-{n}", "cohort_year": 2019,
    })


async def test_the_pipeline_counts_children_per_preschool_and_hides_counts_below_five(api):
    await partnership_with_teams(api)
    for n in range(1, 6):
        await selected_child(api, n, preschool=HAKUNILA)
    await api.ok("/children/child-0005/enrolment", enrolment(5))
    await selected_child(api, 6, preschool=HAKUNILA)
    for n in (7, 8):
        await nominated_child(api, n, LANSIMAKI)
    await api.project()

    response = await api.get("/municipalities/092/selection-pipeline", user="coordinator.vantaa")

    assert response.status_code == 200, response.text
    rows = {row["preschool"]: row for row in response.json()}
    assert set(rows) == {HAKUNILA, LANSIMAKI}
    hakunila, lansimaki = rows[HAKUNILA], rows[LANSIMAKI]
    # The one enrolled child and Länsimäki's two nominations are hidden, and with them Hakunila's nominations
    # (none): otherwise the stage's total across preschools would give Länsimäki's two away.
    assert (hakunila["selected"], hakunila["enrolled"], hakunila["nominated"]) == (5, None, None)
    assert hakunila["suppressed"]
    assert (lansimaki["nominated"], lansimaki["selected"], lansimaki["suppressed"]) == (None, 0, True)
    assert "Lapsi" not in response.text


async def test_a_nomination_without_a_preschool_is_refused_and_writes_nothing(api):
    await partnership_with_teams(api)
    body = {
        "municipality_code": "092", "nominated_on": "2025-08-05", "preschool": {"name": "  "},
        "nominated_by": ["preschool", "social_services"], "preschool_reference": "esiopetus-1", "cohort_year": 2019,
    }

    blank = await api.command("/children/child-0001/nomination", body)
    missing = await api.command("/children/child-0001/nomination", {k: v for k, v in body.items() if k != "preschool"})

    assert blank.status_code == 422 and "preschool.name" in blank.text
    assert missing.status_code == 422 and "preschool" in missing.text
    async with api.enrollment.connections.acquire() as conn:
        written = await conn.fetchval(f"SELECT count(*) FROM {EVENT_SCHEMA}.events WHERE stream_id = 'child-0001'")
    assert written == 0
