"""Assessments: who may answer at which age, one record per child, instrument, informant and wave."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from caselog_builders import AINO_WRITES, TEAM_A, TEAMS, child
from rinnalla_caselog.domain import assessment as a
from rinnalla_caselog.domain import instrument as i
from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue, NotFound, RuleViolated
from rinnalla_caselog.domain.instruments import FEEDBACK_CHILD, SDQ

NOW = datetime(2027, 3, 1, 10, tzinfo=UTC)
SEVEN = child(born=date(2019, 5, 3))
TWELVE = child(born=date(2014, 5, 3))


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "child_id": "child-092-0001", "instrument": "sdq", "version": 1, "informant": "parent",
        "wave": "baseline", "on": date(2027, 2, 1), "answers": (1,) * 25, "at": NOW,
    }
    values.update(overrides)
    return values


def record(**overrides: Any) -> a.RecordAssessment:
    return a.RecordAssessment.model_validate(body(**overrides))


def decide(command: a.RecordAssessment | a.CorrectAssessment, state: a.AssessmentState | None = None,
           facts: Any = SEVEN, instrument: Any = SDQ) -> list[Any]:
    return list(a.decide(state or a.initial(), command, AINO_WRITES, instrument, facts, TEAMS[TEAM_A]))


def test_an_sdq_is_recorded_with_its_computed_scores_encrypted_as_the_child_s() -> None:
    [event] = decide(record(scores={"total_difficulties": 20}))
    assert isinstance(event, a.AssessmentRecorded)
    assert event.assessment_id == "child-092-0001:sdq:parent:baseline"
    assert a.decode_scores(event.scores) == {"conduct": 5.0, "emotional": 5.0, "hyperactivity": 5.0, "peer": 5.0,
                                             "prosocial": 5.0, "total_difficulties": 20.0}
    from rinnalla_events import personal_fields

    assert set(personal_fields(a.AssessmentRecorded)) == {"answers", "scores"}


def test_a_self_report_for_a_7_year_old_is_refused() -> None:
    with pytest.raises(RuleViolated) as refused:
        decide(record(informant="self"))
    assert refused.value.field == "informant"
    assert "ages 11-17; the child was 7" in refused.value.reason


def test_a_self_report_from_11_to_17() -> None:
    assert decide(record(informant="self"), facts=TWELVE)
    with pytest.raises(RuleViolated):
        decide(record(informant="self", on=date(2025, 5, 2)), facts=TWELVE)  # 10 the day before the birthday
    eighteen = child(born=date(2009, 1, 1))
    with pytest.raises(RuleViolated, match="ages 11-17; the child was 18"):
        decide(record(informant="self"), facts=eighteen)


def test_an_age_rule_with_an_unknown_date_of_birth_is_refused() -> None:
    with pytest.raises(RuleViolated, match="date of birth is not known"):
        decide(record(), facts=child(born=None))


def test_an_informant_without_a_form_is_refused() -> None:
    with pytest.raises(RuleViolated, match="has no family form"):
        decide(record(informant="family"))
    with pytest.raises(RuleViolated, match="has no parent form"):
        decide(record(instrument="feedback_child", informant="parent", wave="annual", wave_year=2027,
                      answers=(5,) * 8), instrument=FEEDBACK_CHILD)


def test_an_item_out_of_range_or_a_wrong_score_is_refused() -> None:
    with pytest.raises(InvalidValue) as item:
        decide(record(answers=(1,) * 24 + (3,)))
    assert item.value.field == "answers[24]"
    with pytest.raises(InvalidValue) as score:
        decide(record(scores={"total_difficulties": 19}))
    assert score.value.field == "scores.total_difficulties"


def test_dates_and_waves() -> None:
    with pytest.raises(InvalidValue, match="in the future"):
        decide(record(on=date(2027, 3, 2)))
    with pytest.raises(InvalidValue) as year:
        decide(record(wave="annual"))
    assert year.value.field == "wave_year"
    with pytest.raises(InvalidValue):
        decide(record(wave_year=2027))
    annual = record(instrument="feedback_child", informant="self", wave="annual", wave_year=2027, answers=(4,) * 8)
    assert annual.assessment_id == "child-092-0001:feedback_child:self:annual-2027"


def test_an_unknown_version_is_not_found() -> None:
    with pytest.raises(NotFound) as refused:
        decide(record(version=2), instrument=None)
    assert refused.value.field == "version"


def test_one_record_per_child_instrument_informant_and_wave_a_later_one_is_a_correction() -> None:
    state = a.initial()
    for event in decide(record()):
        state = a.evolve(state, event)
    with pytest.raises(AlreadyExists, match="correct it instead"):
        decide(record(), state)
    correction = a.CorrectAssessment.model_validate({**body(answers=(0,) * 25), "reason": "wrong form"})
    [event] = decide(correction, state)
    assert isinstance(event, a.AssessmentCorrected)
    assert a.decode_scores(event.scores)["total_difficulties"] == 10.0  # type: ignore[index]
    with pytest.raises(NotFound):
        decide(correction)


def test_an_erased_child_s_scores_read_as_unknown() -> None:
    assert a.decode_scores("[erased]") is None


def test_defining_a_new_instrument_and_a_comparable_version() -> None:
    from test_instruments import family_star

    state = i.initial()
    command = i.DefineInstrumentVersion(code="family_star", definition=family_star(1), at=NOW)
    [event] = i.decide(state, command, "coordinator")
    state = i.evolve(state, event)
    assert i.version_of("family_star", 1, state) == family_star(1)
    with pytest.raises(AlreadyExists):
        i.decide(state, command, "coordinator")
    with pytest.raises(InvalidValue, match="keep the range"):
        i.decide(state, i.DefineInstrumentVersion(code="family_star", definition=family_star(2, item_max=5), at=NOW),
                 "coordinator")
    with pytest.raises(InvalidValue) as mismatch:
        i.decide(state, i.DefineInstrumentVersion(code="other", definition=family_star(3), at=NOW), "coordinator")
    assert mismatch.value.field == "definition.code"


def test_a_new_sdq_version_must_keep_the_built_in_scales() -> None:
    v2 = SDQ.model_copy(update={"version": 2, "title": "SDQ, revised Finnish translation"})
    [event] = i.decide(i.initial(), i.DefineInstrumentVersion(code="sdq", definition=v2, at=NOW), "coordinator")
    assert [v.version for v in i.versions("sdq", i.evolve(i.initial(), event))] == [1, 2]
    with pytest.raises(AlreadyExists):
        i.decide(i.initial(), i.DefineInstrumentVersion(code="sdq", definition=SDQ, at=NOW), "coordinator")
