"""Assessments and instrument definitions through the handlers, with the roster deciding who may write."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from caselog_builders import AINO_WRITES, COORDINATOR, JUHO_WRITES, NOW
from caselog_desk import Desk
from rinnalla_caselog.application import handlers as h
from rinnalla_caselog.domain import assessment as a
from rinnalla_caselog.domain import instrument as i
from rinnalla_caselog.domain.errors import AlreadyExists, NotFound, RuleViolated
from rinnalla_caselog.domain.instruments import Informant, InformantRule, InstrumentVersion, Scale


def record(**overrides: Any) -> a.RecordAssessment:
    values: dict[str, Any] = {
        "child_id": "child-092-0001", "instrument": "sdq", "version": 1, "informant": "teacher",
        "wave": "baseline", "on": date(2026, 9, 1), "answers": (1,) * 25, "at": NOW,
    }
    values.update(overrides)
    return a.RecordAssessment.model_validate(values)


STAR = InstrumentVersion(
    code="family_star", version=1, title="Family Star Plus", item_count=8, item_min=1, item_max=10,
    informants=(InformantRule(informant=Informant.FAMILY),), scales=(Scale(name="journey", items=tuple(range(1, 9))),),
)


async def test_the_team_s_mentor_records_an_sdq_and_a_second_one_is_refused(desk: Desk) -> None:
    outcome = await desk.send(h.record_assessment, AINO_WRITES, record())
    assert outcome.result["id"] == "child-092-0001:sdq:teacher:baseline"
    [event] = [r.event for r in await desk.recorded()]
    assert isinstance(event, a.AssessmentRecorded) and event.team_id == "team-092-a"
    assert a.decode_scores(event.scores)["total_difficulties"] == 20  # type: ignore[index]
    [payload] = await desk.payloads()
    assert payload["scores"]["$pii"] == "child-092-0001"
    with pytest.raises(AlreadyExists):
        await desk.send(h.record_assessment, COORDINATOR, record())


async def test_another_team_s_mentor_gets_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound):
        await desk.send(h.record_assessment, JUHO_WRITES, record())


async def test_a_self_report_for_a_7_year_old_is_refused(desk: Desk) -> None:
    with pytest.raises(RuleViolated, match="ages 11-17"):
        await desk.send(h.record_assessment, AINO_WRITES, record(informant="self"))


async def test_an_unknown_instrument_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound) as refused:
        await desk.send(h.record_assessment, AINO_WRITES, record(instrument="jaasydan"))
    assert refused.value.field == "instrument"


async def test_an_instrument_defined_as_data_is_recorded_without_code_changes(desk: Desk) -> None:
    define = i.DefineInstrumentVersion(code="family_star", definition=STAR, at=NOW)
    await desk.send(h.define_instrument_version, COORDINATOR, define)
    star = record(instrument="family_star", informant="family", answers=(5, 6, 7, 8, 5, 6, 7, 8))
    await desk.send(h.record_assessment, AINO_WRITES, star)
    events = [r.event for r in await desk.recorded()]
    assert [type(e).__name__ for e in events] == ["InstrumentVersionDefined", "AssessmentRecorded"]
    assert a.decode_scores(events[1].scores) == {"journey": 52.0}  # type: ignore[attr-defined]


async def test_a_correction_supersedes_the_record(desk: Desk) -> None:
    await desk.send(h.record_assessment, AINO_WRITES, record())
    values = record(answers=(0,) * 25).model_dump()
    correction = a.CorrectAssessment.model_validate({**values, "reason": "scored from the wrong sheet"})
    outcome = await desk.send(h.record_assessment, AINO_WRITES, correction)
    assert outcome.result["events"] == ["caselog.AssessmentCorrected"]
