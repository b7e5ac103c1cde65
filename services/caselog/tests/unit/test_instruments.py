"""Instruments as data, SDQ scoring, and comparability across versions."""

from __future__ import annotations

import pytest
from rinnalla_caselog.domain.errors import InvalidValue
from rinnalla_caselog.domain.instruments import (
    FEEDBACK_GUARDIAN,
    SDQ,
    Informant,
    InformantRule,
    InstrumentVersion,
    Method,
    Scale,
    check_scores,
)

REVERSED = {7, 11, 14, 21, 25}


def sdq_answers(value: int) -> tuple[int, ...]:
    return tuple(value for _ in range(25))


def test_the_sdq_subscales_have_five_items_each_and_cover_all_25() -> None:
    subscales = [s for s in SDQ.scales if s.name != "total_difficulties"]
    assert [len(s.items) for s in subscales] == [5] * 5
    assert sorted(i for s in subscales for i in s.items) == list(range(1, 26))
    SDQ.check()


def test_every_scale_from_the_worst_answers() -> None:
    # "certainly true" everywhere: the reversed items (7, 11, 14, 21, 25) count 0, the others 2
    scores = SDQ.score(sdq_answers(2))
    assert scores == {"emotional": 10, "conduct": 8, "hyperactivity": 6, "peer": 6, "prosocial": 10,
                      "total_difficulties": 30}


def test_the_highest_difficulties_are_40_and_prosocial_is_not_a_difficulty() -> None:
    worst = tuple(0 if i in REVERSED else 2 for i in range(1, 26))
    scores = SDQ.score(worst)
    assert scores["total_difficulties"] == 40
    assert all(scores[name] == 10 for name in ("emotional", "conduct", "hyperactivity", "peer", "prosocial"))
    best = tuple(2 if i in REVERSED else 0 for i in range(1, 26))
    assert SDQ.score(best)["total_difficulties"] == 0 and SDQ.score(best)["prosocial"] == 0


def test_each_subscale_ranges_0_to_10_and_the_total_0_to_40() -> None:
    ranges = {s.name: SDQ.scale_range(s) for s in SDQ.scales}
    assert ranges["total_difficulties"] == (0, 40)
    assert {ranges[n] for n in ("emotional", "conduct", "hyperactivity", "peer", "prosocial")} == {(0, 10)}


@pytest.mark.parametrize("value", [-1, 3])
def test_an_sdq_item_out_of_0_to_2_is_refused_naming_it(value: int) -> None:
    answers = list(sdq_answers(1))
    answers[6] = value
    with pytest.raises(InvalidValue) as refused:
        SDQ.score(answers)
    assert refused.value.field == "answers[6]"
    assert "item 7 is scored 0-2" in refused.value.reason


def test_an_sdq_needs_all_25_items() -> None:
    with pytest.raises(InvalidValue, match="has 25 items, not 24"):
        SDQ.score(sdq_answers(1)[:24])


def test_scores_sent_along_must_be_the_computed_ones_and_in_range() -> None:
    computed = SDQ.score(sdq_answers(1))
    check_scores(SDQ, computed, {"total_difficulties": 20, "emotional": 5})
    with pytest.raises(InvalidValue) as wrong:
        check_scores(SDQ, computed, {"total_difficulties": 21})
    assert wrong.value.field == "scores.total_difficulties"
    with pytest.raises(InvalidValue, match="ranges 0-40"):
        check_scores(SDQ, computed, {"total_difficulties": 41})
    with pytest.raises(InvalidValue, match="no scale"):
        check_scores(SDQ, computed, {"impact": 2})


def test_a_feedback_survey_is_a_mean_of_1_to_5() -> None:
    assert FEEDBACK_GUARDIAN.score((5, 4, 4, 5, 3, 4, 5, 5, 4, 4)) == {"mean": 4.3}
    with pytest.raises(InvalidValue):
        FEEDBACK_GUARDIAN.score((0,) * 10)


def family_star(version: int, **changes: object) -> InstrumentVersion:
    base: dict[str, object] = {
        "code": "family_star", "version": version, "title": "Family Star Plus", "item_count": 8, "item_min": 1,
        "item_max": 10, "informants": (InformantRule(informant=Informant.FAMILY),),
        "scales": (Scale(name="journey", items=tuple(range(1, 9)), method=Method.MEAN),),
    }
    base.update(changes)
    return InstrumentVersion.model_validate(base)


def test_an_instrument_defined_as_data_scores_like_a_built_in_one() -> None:
    star = family_star(1)
    star.check()
    assert star.score((1, 2, 3, 4, 5, 6, 7, 8)) == {"journey": 4.5}


def test_a_later_version_keeps_every_scale_with_its_range() -> None:
    family_star(2).comparable_with(family_star(1))
    with pytest.raises(InvalidValue, match="keeps it"):
        family_star(2, scales=(Scale(name="other", items=(1,)),)).comparable_with(family_star(1))
    with pytest.raises(InvalidValue, match="keep the range"):
        family_star(2, item_max=5).comparable_with(family_star(1))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"item_min": 5, "item_max": 5}, "item_max"),
        ({"scales": (Scale(name="aa", items=(9,)),)}, "scales[0].items"),
        ({"scales": (Scale(name="aa", items=(1, 1)),)}, "scales[0].items"),
        ({"scales": (Scale(name="aa", items=(1,), reversed_items=(2,)),)}, "scales[0].reversed_items"),
        ({"scales": (Scale(name="aa", items=(1,)), Scale(name="aa", items=(2,)))}, "scales"),
        ({"informants": (InformantRule(informant=Informant.SELF, min_age=12, max_age=11),)}, "informants[0].max_age"),
    ],
)
def test_a_definition_that_cannot_be_scored_is_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        family_star(1, **changes).check()
    assert refused.value.field == field
