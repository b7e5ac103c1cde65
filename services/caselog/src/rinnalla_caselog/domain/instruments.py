"""Assessment instruments as data: items, their range, scales, and who may answer at which age.

An instrument version says how many items it has and the range of each, which informants may answer it
and at which ages, and how its scales are computed (sum or mean of items, some reverse-scored). SDQ and the
annual feedback surveys are built in; other instruments (Family Star for family partners, the programme's
own questionnaire) are defined as data (`InstrumentVersionDefined`), so the store needs no code change.

A new version of an instrument must keep the scales of the versions before it (same names, same ranges),
so that scores stay comparable across versions: a translation or a reworded item is a new version, a
different scoring is a different instrument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from rinnalla_caselog.domain.errors import InvalidValue
from rinnalla_caselog.domain.values import Value

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class Informant(StrEnum):
    """Who answered: a guardian, the child's teacher, the child (self-report), the family with its worker."""

    PARENT = "parent"
    TEACHER = "teacher"
    SELF = "self"
    FAMILY = "family"


class Method(StrEnum):
    SUM = "sum"
    MEAN = "mean"


class Scale(Value):
    """A score: the sum or mean of the listed items (numbered from 1), reversed items counted backwards."""

    name: Code
    items: tuple[int, ...] = Field(min_length=1)
    reversed_items: tuple[int, ...] = ()
    method: Method = Method.SUM


class InformantRule(Value):
    informant: Informant
    min_age: int | None = Field(default=None, ge=0, le=30)
    max_age: int | None = Field(default=None, ge=0, le=30)


class InstrumentVersion(Value):
    code: Code
    version: int = Field(ge=1)
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    item_count: int = Field(ge=1, le=200)
    item_min: int = Field(ge=0, le=100)
    item_max: int = Field(ge=1, le=100)
    informants: tuple[InformantRule, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = Field(min_length=1)

    def rule_for(self, informant: Informant) -> InformantRule | None:
        return next((rule for rule in self.informants if rule.informant is informant), None)

    def scale_range(self, scale: Scale) -> tuple[float, float]:
        if scale.method is Method.MEAN:
            return float(self.item_min), float(self.item_max)
        return float(self.item_min * len(scale.items)), float(self.item_max * len(scale.items))

    def check(self) -> None:
        """Refuse a definition that cannot be scored."""
        if self.item_min >= self.item_max:
            raise InvalidValue("item_max", "the highest item score must be above the lowest")
        names = [scale.name for scale in self.scales]
        if len(set(names)) != len(names):
            raise InvalidValue("scales", "a scale name is used twice")
        informants = [rule.informant for rule in self.informants]
        if len(set(informants)) != len(informants):
            raise InvalidValue("informants", "an informant is listed twice")
        for index, rule in enumerate(self.informants):
            if rule.min_age is not None and rule.max_age is not None and rule.min_age > rule.max_age:
                raise InvalidValue(f"informants[{index}].max_age", "the age range is empty")
        for index, scale in enumerate(self.scales):
            for item in (*scale.items, *scale.reversed_items):
                if not 1 <= item <= self.item_count:
                    raise InvalidValue(f"scales[{index}].items", f"item {item} is not among items 1-{self.item_count}")
            if len(set(scale.items)) != len(scale.items):
                raise InvalidValue(f"scales[{index}].items", "an item is listed twice")
            if not set(scale.reversed_items) <= set(scale.items):
                raise InvalidValue(f"scales[{index}].reversed_items", "a reversed item must be one of the scale's")

    def comparable_with(self, earlier: InstrumentVersion) -> None:
        """A later version keeps every scale of an earlier one with the same range (scores stay comparable)."""
        mine = {scale.name: self.scale_range(scale) for scale in self.scales}
        for scale in earlier.scales:
            if scale.name not in mine:
                raise InvalidValue(
                    "scales", f"version {earlier.version} has the scale {scale.name}; a later version keeps it"
                )
            if mine[scale.name] != earlier.scale_range(scale):
                raise InvalidValue(
                    "scales", f"the scale {scale.name} must keep the range of version {earlier.version} "
                    f"({earlier.scale_range(scale)}) so that scores stay comparable",
                )

    def score(self, answers: Sequence[int]) -> dict[str, float]:
        """Every scale's score from the answers (item 1 first); refuses a wrong count or a value out of range."""
        if len(answers) != self.item_count:
            raise InvalidValue(
                "answers", f"{self.code} v{self.version} has {self.item_count} items, not {len(answers)}"
            )
        for index, value in enumerate(answers):
            if not self.item_min <= value <= self.item_max:
                raise InvalidValue(
                    f"answers[{index}]",
                    f"item {index + 1} is scored {self.item_min}-{self.item_max}, not {value}",
                )
        scores: dict[str, float] = {}
        for scale in self.scales:
            values = [
                self.item_min + self.item_max - answers[item - 1] if item in scale.reversed_items else answers[item - 1]
                for item in scale.items
            ]
            total = float(sum(values))
            scores[scale.name] = round(total / len(values), 2) if scale.method is Method.MEAN else total
        return scores


def check_scores(version: InstrumentVersion, computed: Mapping[str, float], claimed: Mapping[str, float]) -> None:
    """Scores sent with the answers (from a paper form's scoring sheet) must be the computed ones."""
    for name, value in claimed.items():
        if name not in computed:
            raise InvalidValue(f"scores.{name}", f"{version.code} has no scale {name}")
        low, high = next(version.scale_range(s) for s in version.scales if s.name == name)
        if not low <= value <= high:
            raise InvalidValue(f"scores.{name}", f"{name} ranges {low:g}-{high:g}, not {value:g}")
        if abs(computed[name] - value) > 0.005:
            raise InvalidValue(f"scores.{name}", f"the answers give {name} = {computed[name]:g}, not {value:g}")


# --- built-in instruments ------------------------------------------------------------------------

_SDQ_EMOTIONAL = (3, 8, 13, 16, 24)
_SDQ_CONDUCT = (5, 7, 12, 18, 22)
_SDQ_HYPERACTIVITY = (2, 10, 15, 21, 25)
_SDQ_PEER = (6, 11, 14, 19, 23)
_SDQ_PROSOCIAL = (1, 4, 9, 17, 20)
# reverse-scored: obedient, has a good friend, generally liked, thinks things out, sees tasks through
_SDQ_REVERSED = (7, 11, 14, 21, 25)


def _sdq_scale(name: str, items: tuple[int, ...]) -> Scale:
    return Scale(name=name, items=items, reversed_items=tuple(i for i in items if i in _SDQ_REVERSED))


SDQ = InstrumentVersion(
    code="sdq",
    version=1,
    title="Strengths and Difficulties Questionnaire (parent, teacher and self-report forms, 4-17)",
    item_count=25,
    item_min=0,
    item_max=2,
    informants=(
        InformantRule(informant=Informant.PARENT, min_age=4, max_age=17),
        InformantRule(informant=Informant.TEACHER, min_age=4, max_age=17),
        InformantRule(informant=Informant.SELF, min_age=11, max_age=17),
    ),
    scales=(
        _sdq_scale("emotional", _SDQ_EMOTIONAL),
        _sdq_scale("conduct", _SDQ_CONDUCT),
        _sdq_scale("hyperactivity", _SDQ_HYPERACTIVITY),
        _sdq_scale("peer", _SDQ_PEER),
        _sdq_scale("prosocial", _SDQ_PROSOCIAL),
        _sdq_scale("total_difficulties", _SDQ_EMOTIONAL + _SDQ_CONDUCT + _SDQ_HYPERACTIVITY + _SDQ_PEER),
    ),
)

FEEDBACK_CHILD = InstrumentVersion(
    code="feedback_child",
    version=1,
    title="Annual feedback survey for the child (smiley scale 1-5)",
    item_count=8,
    item_min=1,
    item_max=5,
    informants=(InformantRule(informant=Informant.SELF, min_age=6),),
    scales=(Scale(name="mean", items=tuple(range(1, 9)), method=Method.MEAN),),
)

FEEDBACK_GUARDIAN = InstrumentVersion(
    code="feedback_guardian",
    version=1,
    title="Annual feedback survey for the guardians (1-5)",
    item_count=10,
    item_min=1,
    item_max=5,
    informants=(InformantRule(informant=Informant.PARENT),),
    scales=(Scale(name="mean", items=tuple(range(1, 11)), method=Method.MEAN),),
)

BUILT_IN: Mapping[str, tuple[InstrumentVersion, ...]] = {
    version.code: (version,) for version in (SDQ, FEEDBACK_CHILD, FEEDBACK_GUARDIAN)
}
"""The instruments every deployment has, by code (their later versions may be defined as data)."""
