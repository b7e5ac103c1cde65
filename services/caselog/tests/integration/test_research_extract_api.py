"""The research extract over HTTP: consent-filtered rows, pseudonyms stable within a study, a disclosure-log
row per child, an extract event, CSV and Parquet."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import pyarrow.parquet as pq
import pytest
from caselog_api import Api, contact

pytestmark = pytest.mark.integration

EVALUATOR = {"tenants": ["092"]}  # the demo evaluator, here working on the Vantaa study
CONSENTED = [1, 2, 3, 4, 5, 6, 7, 8]  # research consents; child 4 then prohibits it
PROHIBITING = 4


SIGNED_FORM = {"method": "signed_form", "information_version": "research-information-2025",
               "document_reference": "signed-forms/research"}


def guardian_of(n: int) -> str:
    return "guardian-092-0001" if n <= 2 else f"guardian-092-{n:04d}"


async def extract(api: Api, extract_id: str, **overrides: Any) -> Any:
    body = {"study_id": "thl-icehearts", "recipient_organisation": "org-evaluator", "municipality_code": "092",
            **overrides}
    return await api.post(f"/research-extracts/{extract_id}", body, user="evaluator.hameenlinna", claims=EVALUATOR)


async def test_the_extract_has_a_row_per_consenting_child_and_logs_each_disclosure(api: Api) -> None:
    for n in CONSENTED:
        child = f"child-092-{n:04d}"
        # the guardian's signed research consent form, recorded by the coordinator naming its signer
        await api.enrollment_command(f"/children/{child}/consents", {
            "consent_id": f"research-{child}", "subject_id": child, "purpose": "thl_research",
            "signed_by": guardian_of(n), "evidence": SIGNED_FORM})
    # the child's prohibition takes effect with an assessment of understanding on record
    prohibiting = f"child-092-{PROHIBITING:04d}"
    await api.enrollment_command(f"/children/{prohibiting}/understanding-assessments",
                                 {"purpose": "thl_research", "understands": True})
    await api.enrollment_command(f"/children/{prohibiting}/prohibitions",
                                 {"purpose": "thl_research", "evidence": {**SIGNED_FORM, "method": "in_person"}})
    await api.post(f"/contacts/{uuid.uuid4()}", contact(on="2026-10-05"))
    sdq = {"instrument": "sdq", "version": 1, "informant": "parent", "wave": "baseline", "on": "2025-09-01",
           "answers": [1] * 25, "recorded_for": "research"}
    assert (await api.post("/children/child-092-0001/assessments", sdq)).status_code == 200
    await api.project()
    api.caselog.clock = lambda: datetime.now(UTC)  # the consents were given on the real clock

    response = await extract(api, "extract-1")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(CONSENTED) - 1 == int(response.headers["X-Extract-Rows"])
    assert "child-092" not in response.text and "guardian" not in response.text
    with_scores = [r for r in rows if r["score_sdq_parent_baseline_total_difficulties"]]
    assert [(r["birth_year"], r["cohort"], r["enrolled_on"], r["dose_home_visit_or_family_meeting_2026-10"],
             r["score_sdq_parent_baseline_total_difficulties"]) for r in with_scores] == [
        ("2019", "2025", "2025-08-20", "1", "20.0")]

    async with api.caselog.runtime.connections.acquire() as conn:
        disclosures = await conn.fetch(
            "SELECT subject_id, recipient_organisation, consent_id FROM audit.disclosure_log"
            " WHERE service = 'caselog' ORDER BY subject_id"
        )
        events = await conn.fetch(
            "SELECT payload FROM caselog.events WHERE event_type = 'caselog.ResearchExtractProduced'"
        )
    assert [d["subject_id"] for d in disclosures] == [f"child-092-{n:04d}" for n in CONSENTED if n != PROHIBITING]
    assert {d["recipient_organisation"] for d in disclosures} == {"org-evaluator"}
    assert all(d["consent_id"] == f"research-{d['subject_id']}" for d in disclosures)
    [event] = events
    assert '"rows": 7' in event["payload"] and "child-092" not in event["payload"]

    again = await extract(api, "extract-2", format="parquet")
    assert again.status_code == 200 and again.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(again.content))
    assert sorted(table.column("pseudonym").to_pylist()) == sorted(r["pseudonym"] for r in rows)
    other_study = await extract(api, "extract-3", study_id="sib-evaluation")
    assert not {r["pseudonym"] for r in csv.DictReader(io.StringIO(other_study.text))} & {r["pseudonym"] for r in rows}


async def test_only_the_evaluator_of_the_municipality_produces_an_extract_once(api: Api) -> None:
    assert (await extract(api, "e-1")).status_code == 200
    assert (await extract(api, "e-1")).status_code == 409
    other_town = await api.post("/research-extracts/e-2", {
        "study_id": "s1", "recipient_organisation": "org-evaluator", "municipality_code": "092"},
        user="evaluator.hameenlinna")
    assert other_town.status_code == 404
    mentor = await api.post("/research-extracts/e-3", {
        "study_id": "s1", "recipient_organisation": "org-evaluator", "municipality_code": "092"})
    assert mentor.status_code == 403
